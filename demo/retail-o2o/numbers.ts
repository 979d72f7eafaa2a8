// Business numbers as each system hands them out: the shop's online order number, the OMS's
// routing id, the store's order number, the pick-up code, the carrier's shipment number, the
// payment gateway's transaction. A run number (the start minute) keeps one run's numbers apart
// from an earlier run's in the same store.

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export class RetailNumbers {
  readonly run: string
  readonly #next = new Map<string, number>()

  constructor(startMs: number) {
    this.run = pad(Math.floor(startMs / 60_000) % 100_000, 5)
  }

  #seq(kind: string): number {
    const n = (this.#next.get(kind) ?? 0) + 1
    this.#next.set(kind, n)
    return n
  }

  onlineOrder(): string {
    return `W-${this.run}-${pad(this.#seq('online'), 6)}`
  }
  payment(): string {
    return `PAY${this.run}${pad(this.#seq('payment'), 7)}`
  }
  routing(): string {
    return `RT-${this.run}-${pad(this.#seq('routing'), 6)}`
  }
  storeOrder(storeId: string): string {
    return `${storeId}-${this.run}-${pad(this.#seq(`store:${storeId}`), 5)}`
  }
  pickupCode(): string {
    return `PU-${this.run}-${pad(this.#seq('pickup'), 5)}`
  }
  shipment(): string {
    return `SF${this.run}${pad(this.#seq('shipment'), 7)}`
  }
  ticket(storeId: string): string {
    return `T-${storeId}-${this.run}-${pad(this.#seq(`ticket:${storeId}`), 5)}`
  }
  message(queue: string): string {
    return `${queue}-${this.run}-${pad(this.#seq(`message:${queue}`), 6)}`
  }
}
