// The ERP (service erp-sap, system ERP, SAP-like): customers' orders come in over EDI
// (sales_order.created on the inbound server span, with the order value), MRP turns each into
// a production order at once (production_order.created), asks the supplier portal whether the
// bought-in components are there (GET /api/v2/availability, the erp-to-supplier-availability
// integration; materials.confirmed when it answers), releases the order
// (production_order.released) and publishes it to the MES on the erp.production-orders queue.
// The stock sync job posts the finished goods the WMS received (goods_receipt.posted, with the
// material document); the ERP then creates the outbound delivery (delivery.created) and hands
// it to the WMS (POST /api/outbound/deliveries); the carrier's proof of delivery comes back
// over EDI (order.delivered). Fault: supplier_down (the portal answers 503 or times out after
// 30 s; retried with backoff under one operation id, the order waits after
// production_order.created).
import { SpanKind, type Context } from '@opentelemetry/api'
import { IntegrationError } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, extract, inject, openStep, recordStep, type Carrier } from '../steps.ts'
import {
  CURRENCY,
  HOUR,
  httpAttributes,
  Integration,
  messagingAttributes,
  MINUTE,
  money,
  PLANT,
  PROCESS,
  SECOND,
  serverAttributes,
  type Manufacturing,
} from './context.ts'
import type { OrderRecord } from './ledger.ts'
import { CUSTOMERS, PRODUCTS } from './master-data.ts'
import type { SupplierPortal } from './supplier-portal.ts'

/** Minutes before each retry of a failed availability call; then every 30 minutes. */
const RETRY_MINUTES = [1, 2, 4, 8, 15, 30]
const TIMEOUT_MS = 30 * SECOND
const PORTAL_URL = 'https://portal.supplier.example.com/api/v2/availability'
export const ERP_STOCK_URL = 'https://erp.example.com/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader'

export interface ProductionOrderMessage {
  readonly carrier: Carrier
  readonly order: OrderRecord
  readonly messageId: string
  /** Times the broker delivered it before. */
  readonly deliveryCount: number
}

/** Where the ERP hands work on: the MES queue and the WMS's outbound delivery API. */
export interface ErpPartners {
  readonly publish: (message: ProductionOrderMessage, atMs: number) => void
  readonly deliver: (carrier: Carrier, order: OrderRecord, start: number, end: number) => void
}

export class Erp {
  readonly #ctx: Manufacturing
  readonly #random: SeededRandom
  readonly #supplier: SupplierPortal
  #partners: ErpPartners | undefined

  constructor(ctx: Manufacturing, supplier: SupplierPortal) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('erp')
    this.#supplier = supplier
  }

  start(partners: ErpPartners): void {
    this.#partners = partners
    this.#nextOrder(this.#ctx.world.startMs)
  }

  #nextOrder(fromMs: number): void {
    const { scheduler } = this.#ctx.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#ctx.options.ordersPerHour), () => {
      this.#salesOrder(scheduler.now())
      this.#nextOrder(scheduler.now())
    })
  }

  /** A customer's order arrives over EDI (ORDERS): the ERP creates the sales order. */
  #salesOrder(t: number): void {
    const { numbers, ledger, services, world } = this.#ctx
    const customer = this.#random.pick(CUSTOMERS)
    const product = this.#random.pick(PRODUCTS)
    const quantity = this.#random.int(1, 20)
    const order = ledger.open({
      salesOrderNo: numbers.salesOrder(),
      customer,
      product,
      quantity,
      value: money(quantity * this.#random.logNormal(product.medianValue / 8, 0.3)),
      createdAt: t,
    })
    recordStep(
      services.erp,
      'POST /sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder',
      {
        kind: SpanKind.SERVER,
        process: PROCESS,
        milestone: 'sales_order.created',
        system: 'ERP',
        object: 'sales_order',
        value: order.value,
        currency: CURRENCY,
        keys: { sales_order_no: order.salesOrderNo, customer_id: customer.customerId },
        attributes: { ...serverAttributes('POST', '/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder', 201), material: product.material, quantity },
      },
      t - this.#random.between(150, 600),
      t,
    )
    world.scheduler.at(t + this.#random.between(1, 5) * MINUTE, () => this.#productionOrder(order))
  }

  /** MRP, make-to-order: one production order per sales order item. */
  #productionOrder(order: OrderRecord): void {
    const { numbers, services, world } = this.#ctx
    const t = world.scheduler.now()
    const productionOrderNo = numbers.productionOrder()
    const step = recordStep(
      services.erp,
      'MRP create production order',
      {
        process: PROCESS,
        milestone: 'production_order.created',
        system: 'ERP',
        object: 'production_order',
        keys: { production_order_no: productionOrderNo, sales_order_no: order.salesOrderNo },
        attributes: { material: order.product.material, plant: PLANT, quantity: order.quantity },
      },
      t - this.#random.between(0.5, 3) * SECOND,
      t,
    )
    order.productionOrderNo = productionOrderNo
    order.productionOrderCreatedAt = t
    const checkAt = t + this.#random.between(10, 60) * SECOND
    world.scheduler.at(checkAt, () => this.#checkAvailability(order, 1, step.context, checkAt))
  }

  /** Asks the supplier portal for the bought-in components; retried while the portal is down. */
  #checkAvailability(order: OrderRecord, attempt: number, context: Context, t: number): void {
    const { services, world, ledger } = this.#ctx
    const productionOrderNo = order.productionOrderNo!
    order.supplierAttempts++
    const url = `${PORTAL_URL}?materials=${order.product.components.join(',')}`
    const call = openStep(
      services.erp,
      'GET /api/v2/availability',
      {
        kind: SpanKind.CLIENT,
        context,
        integration: Integration.availability,
        sourceSystem: 'ERP',
        targetSystem: 'SUPPLIER',
        operationId: `${Integration.availability}:${productionOrderNo}`,
        attempt,
        keys: { production_order_no: productionOrderNo },
        attributes: httpAttributes('GET', url),
      },
      t,
    )
    if (world.faults.active('supplier_down', t)) {
      const timeout = this.#random.chance(0.3)
      const end = t + (timeout ? TIMEOUT_MS : this.#random.between(100, 900))
      closeStep(
        call,
        end,
        timeout
          ? { error: new IntegrationError('timeout', 'supplier portal did not answer within 30 s') }
          : { attributes: { 'http.response.status_code': 503 }, error: new IntegrationError('503', 'supplier portal answered 503 Service Unavailable') },
      )
      ledger.counters.supplierCalls[timeout ? 'timeout' : 'unavailable']++
      const wait = (RETRY_MINUTES[attempt - 1] ?? 30) * MINUTE
      world.scheduler.at(end + wait, () => this.#checkAvailability(order, attempt + 1, context, world.scheduler.now()))
      return
    }
    const end = t + this.#random.between(200, 1_200)
    const checkId = this.#supplier.answer(inject(call.context), order, t + 30, end - 20)
    closeStep(call, end, { attributes: { 'http.response.status_code': 200, 'supplier.availability_check': checkId } })
    ledger.counters.supplierCalls.ok++
    const confirmed = recordStep(
      services.erp,
      'confirm material availability',
      {
        context: call.context,
        process: PROCESS,
        milestone: 'materials.confirmed',
        system: 'ERP',
        object: 'production_order',
        keys: { production_order_no: productionOrderNo },
        attributes: { 'supplier.availability_check': checkId, components: order.product.components.length },
      },
      end + 10,
      end + 40,
    )
    order.materialsConfirmedAt = end + 40
    const releaseAt = end + this.#random.between(1, 10) * MINUTE
    world.scheduler.at(releaseAt, () => this.#release(order, confirmed.context, releaseAt))
  }

  /** Releases the production order and publishes it to the MES. */
  #release(order: OrderRecord, context: Context, t: number): void {
    const { services, numbers, ledger } = this.#ctx
    const productionOrderNo = order.productionOrderNo!
    const released = recordStep(
      services.erp,
      'release production order',
      {
        context,
        process: PROCESS,
        milestone: 'production_order.released',
        system: 'ERP',
        object: 'production_order',
        keys: { production_order_no: productionOrderNo },
        attributes: { work_center: order.product.workCenter },
      },
      t,
      t + 200,
    )
    order.releasedAt = t + 200
    const messageId = numbers.message('erp.production-orders')
    const publish = recordStep(
      services.erp,
      'erp.production-orders publish',
      {
        kind: SpanKind.PRODUCER,
        context: released.context,
        integration: Integration.productionOrders,
        sourceSystem: 'ERP',
        targetSystem: 'MES',
        keys: { production_order_no: productionOrderNo },
        attributes: messagingAttributes('erp.production-orders', 'send', messageId),
      },
      t + 220,
      t + 240,
    )
    ledger.counters.orderMessages++
    this.#partners!.publish({ carrier: inject(publish.context), order, messageId, deliveryCount: 0 }, t + 240 + this.#random.between(0.2, 2) * SECOND)
  }

  /**
   * Serves the stock sync job's posting of a goods receipt to sales-order stock (movement 101):
   * the finished goods of the production order are in ERP stock. Returns the material document.
   */
  postGoodsReceipt(carrier: Carrier, order: OrderRecord, start: number, end: number): string {
    const { services, numbers, world } = this.#ctx
    const materialDocumentNo = numbers.materialDocument()
    const step = recordStep(
      services.erp,
      'POST /sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        milestone: 'goods_receipt.posted',
        system: 'ERP',
        object: 'production_order',
        keys: { production_order_no: order.productionOrderNo!, material_document_no: materialDocumentNo },
        attributes: { ...serverAttributes('POST', '/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader', 201), 'sap.movement_type': '101' },
      },
      start,
      end,
    )
    order.materialDocumentNo = materialDocumentNo
    order.goodsReceiptPostedAt = end
    const deliveryAt = end + this.#random.between(2, 15) * MINUTE
    world.scheduler.at(deliveryAt, () => this.#delivery(order, step.context, deliveryAt))
    return materialDocumentNo
  }

  /** Serves any other stock posting of the sync job (goods issues, components to production). */
  postStock(carrier: Carrier, movementType: string, start: number, end: number): void {
    recordStep(
      this.#ctx.services.erp,
      'POST /sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        attributes: {
          ...serverAttributes('POST', '/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader', 201),
          'sap.movement_type': movementType,
        },
      },
      start,
      end,
    )
  }

  /** The outbound delivery for the sales order, handed to the WMS to pick and ship. */
  #delivery(order: OrderRecord, context: Context, t: number): void {
    const { services, numbers } = this.#ctx
    const deliveryNo = numbers.delivery()
    const created = recordStep(
      services.erp,
      'create outbound delivery',
      {
        context,
        process: PROCESS,
        milestone: 'delivery.created',
        system: 'ERP',
        object: 'outbound_delivery',
        keys: { delivery_no: deliveryNo, sales_order_no: order.salesOrderNo },
        attributes: { shipping_point: PLANT },
      },
      t,
      t + 300,
    )
    order.deliveryNo = deliveryNo
    order.deliveryCreatedAt = t + 300
    const callAt = t + 400
    const call = openStep(
      services.erp,
      'POST /api/outbound/deliveries',
      {
        kind: SpanKind.CLIENT,
        context: created.context,
        integration: Integration.deliveries,
        sourceSystem: 'ERP',
        targetSystem: 'WMS',
        operationId: `${Integration.deliveries}:${deliveryNo}`,
        attempt: 1,
        keys: { delivery_no: deliveryNo },
        attributes: httpAttributes('POST', 'https://wms.plant1000.example.com/api/outbound/deliveries'),
      },
      callAt,
    )
    const end = callAt + this.#random.between(150, 800)
    this.#partners!.deliver(inject(call.context), order, callAt + 20, end - 15)
    closeStep(call, end, { attributes: { 'http.response.status_code': 201 } })
  }

  /** The carrier's proof of delivery arrives over EDI: the customer has the goods. */
  proofOfDelivery(order: OrderRecord, t: number): void {
    const deliveryNo = order.deliveryNo!
    recordStep(
      this.#ctx.services.erp,
      'POST /edi/inbound/pod',
      {
        kind: SpanKind.SERVER,
        process: PROCESS,
        milestone: 'order.delivered',
        system: 'ERP',
        object: 'outbound_delivery',
        integration: Integration.proofOfDelivery,
        sourceSystem: 'CARRIER',
        targetSystem: 'ERP',
        keys: { delivery_no: deliveryNo },
        attributes: serverAttributes('POST', '/edi/inbound/pod', 204),
      },
      t,
      t + this.#random.between(50, 300),
    )
    order.deliveredAt = t
  }
}
