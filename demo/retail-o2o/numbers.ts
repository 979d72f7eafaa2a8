// Business numbers as each system hands them out: the shop's online order number, the OMS's
// routing id, the store's order number, the pick-up code, the carrier's shipment number, the
// payment gateway's transaction. A run number (the start minute) keeps one run's numbers apart
// from an earlier run's in the same store.
import { RunNumbers } from '../run-numbers.ts'

export class RetailNumbers extends RunNumbers {
  onlineOrder(): string {
    return `W-${this.run}-${this.next('online', 6)}`
  }
  payment(): string {
    return `PAY${this.run}${this.next('payment', 7)}`
  }
  routing(): string {
    return `RT-${this.run}-${this.next('routing', 6)}`
  }
  storeOrder(storeId: string): string {
    return `${storeId}-${this.run}-${this.next(`store:${storeId}`, 5)}`
  }
  pickupCode(): string {
    return `PU-${this.run}-${this.next('pickup', 5)}`
  }
  shipment(): string {
    return `SF${this.run}${this.next('shipment', 7)}`
  }
  ticket(storeId: string): string {
    return `T-${storeId}-${this.run}-${this.next(`ticket:${storeId}`, 5)}`
  }
}
