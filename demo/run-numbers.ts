// Business numbers as a system hands them out: one sequence per kind of number, under a run
// number (the start minute) that keeps one run's numbers apart from an earlier run's in the
// same store. Each scenario's numbers module says which kinds its systems use and their shape.

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export class RunNumbers {
  /** The run number: the start minute, five digits. */
  readonly run: string
  readonly #next = new Map<string, number>()

  constructor(startMs: number) {
    this.run = pad(Math.floor(startMs / 60_000) % 100_000, 5)
  }

  /** The next number of `kind` in this run, zero-padded to `width` digits. */
  protected next(kind: string, width: number): string {
    const n = (this.#next.get(kind) ?? 0) + 1
    this.#next.set(kind, n)
    return pad(n, width)
  }

  /** A broker message id on `queue`. */
  message(queue: string): string {
    return `${queue}-${this.run}-${this.next(`message:${queue}`, 6)}`
  }
}
