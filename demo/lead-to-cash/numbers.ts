// Business numbers as each system hands them out: the CRM's order and opportunity numbers,
// SAP-style digit numbers for sales orders, deliveries and invoices (the WMS export's
// "Goods issue posted for delivery 8..." needs digits). A run number (the start minute)
// keeps one run's numbers apart from an earlier run's in the same store.

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export class BusinessNumbers {
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

  order(): string {
    return `O-${this.run}-${pad(this.#seq('order'), 4)}`
  }
  opportunity(): string {
    return `OPP-${this.run}-${pad(this.#seq('opportunity'), 4)}`
  }
  salesOrder(): string {
    return `45${this.run}${pad(this.#seq('so'), 4)}`
  }
  reservation(): string {
    return `7${this.run}${pad(this.#seq('reservation'), 5)}`
  }
  delivery(): string {
    return `8${this.run}${pad(this.#seq('delivery'), 5)}`
  }
  invoice(): string {
    return `9${this.run}${pad(this.#seq('invoice'), 5)}`
  }
  receivable(): string {
    return `AR-${this.run}-${pad(this.#seq('receivable'), 5)}`
  }
  payment(): string {
    return `BNK${this.run}${pad(this.#seq('payment'), 6)}`
  }
  message(queue: string): string {
    return `${queue}-${this.run}-${pad(this.#seq(`message:${queue}`), 6)}`
  }
}
