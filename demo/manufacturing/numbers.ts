// Business numbers as each system hands them out: the ERP's sales order, production order,
// outbound delivery and material document, the MES's job, the WMS's handling unit, the
// supplier portal's availability answer. A run number (the start minute) keeps one run's
// numbers apart from an earlier run's in the same store.
import { RunNumbers } from '../run-numbers.ts'

export class ManufacturingNumbers extends RunNumbers {
  salesOrder(): string {
    return `SO-${this.run}-${this.next('sales-order', 6)}`
  }
  productionOrder(): string {
    return `PO-${this.run}-${this.next('production-order', 6)}`
  }
  mesJob(): string {
    return `JOB-${this.run}-${this.next('job', 5)}`
  }
  handlingUnit(): string {
    return `HU${this.run}${this.next('handling-unit', 7)}`
  }
  delivery(): string {
    return `DL-${this.run}-${this.next('delivery', 6)}`
  }
  materialDocument(): string {
    return `49${this.run}${this.next('material-document', 6)}`
  }
  availabilityCheck(): string {
    return `AV-${this.run}-${this.next('availability', 6)}`
  }
}
