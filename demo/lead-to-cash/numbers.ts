// Business numbers as each system hands them out: the CRM's order and opportunity numbers,
// SAP-style digit numbers for sales orders, deliveries and invoices (the WMS export's
// "Goods issue posted for delivery 8..." needs digits). A run number (the start minute)
// keeps one run's numbers apart from an earlier run's in the same store.
import { RunNumbers } from '../run-numbers.ts'

export class BusinessNumbers extends RunNumbers {
  order(): string {
    return `O-${this.run}-${this.next('order', 4)}`
  }
  opportunity(): string {
    return `OPP-${this.run}-${this.next('opportunity', 4)}`
  }
  salesOrder(): string {
    return `45${this.run}${this.next('so', 4)}`
  }
  reservation(): string {
    return `7${this.run}${this.next('reservation', 5)}`
  }
  delivery(): string {
    return `8${this.run}${this.next('delivery', 5)}`
  }
  invoice(): string {
    return `9${this.run}${this.next('invoice', 5)}`
  }
  receivable(): string {
    return `AR-${this.run}-${this.next('receivable', 5)}`
  }
  payment(): string {
    return `BNK${this.run}${this.next('payment', 6)}`
  }
}
