// Business numbers as each system hands them out: the ERP's sales order, production order,
// outbound delivery and material document, the MES's job, the WMS's handling unit, the
// supplier portal's availability answer. A run number (the start minute) keeps one run's
// numbers apart from an earlier run's in the same store.

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export class ManufacturingNumbers {
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

  salesOrder(): string {
    return `SO-${this.run}-${pad(this.#seq('sales-order'), 6)}`
  }
  productionOrder(): string {
    return `PO-${this.run}-${pad(this.#seq('production-order'), 6)}`
  }
  mesJob(): string {
    return `JOB-${this.run}-${pad(this.#seq('job'), 5)}`
  }
  handlingUnit(): string {
    return `HU${this.run}${pad(this.#seq('handling-unit'), 7)}`
  }
  delivery(): string {
    return `DL-${this.run}-${pad(this.#seq('delivery'), 6)}`
  }
  materialDocument(): string {
    return `49${this.run}${pad(this.#seq('material-document'), 6)}`
  }
  availabilityCheck(): string {
    return `AV-${this.run}-${pad(this.#seq('availability'), 6)}`
  }
  message(queue: string): string {
    return `${queue}-${this.run}-${pad(this.#seq(`message:${queue}`), 6)}`
  }
}
