// The supplier portal (service supplier-portal, system SUPPLIER): the vendor of the bought-in
// components answers the ERP's availability queries (GET /api/v2/availability) with a check
// number. Outside the plant's control: under supplier_down the ERP's calls fail before they
// reach it (erp.ts).
import { SpanKind } from '@opentelemetry/api'
import { recordStep, extract, type Carrier } from '../steps.ts'
import { serverAttributes, type Manufacturing } from './context.ts'
import type { OrderRecord } from './ledger.ts'

export class SupplierPortal {
  readonly #ctx: Manufacturing

  constructor(ctx: Manufacturing) {
    this.#ctx = ctx
  }

  /** Serves one availability query; returns the portal's check number. */
  answer(carrier: Carrier, order: OrderRecord, start: number, end: number): string {
    const checkId = this.#ctx.numbers.availabilityCheck()
    recordStep(
      this.#ctx.services.supplier,
      'GET /api/v2/availability',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        attributes: {
          ...serverAttributes('GET', '/api/v2/availability', 200),
          'supplier.availability_check': checkId,
          components: order.product.components.length,
        },
      },
      start,
      end,
    )
    return checkId
  }
}
