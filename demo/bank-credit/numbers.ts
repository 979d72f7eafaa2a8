// Business numbers as each system hands them out: the channel's application numbers, the BPM
// engine's process instance ids, the bureau's report numbers, the core's loan account
// numbers. A run number (the start minute) keeps one run's numbers apart from an earlier
// run's in the same store.

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export class LoanNumbers {
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

  application(): string {
    return `LA-${this.run}-${pad(this.#seq('application'), 5)}`
  }
  bpmInstance(): string {
    return `PI${this.run}${pad(this.#seq('bpm'), 6)}`
  }
  bureauReport(): string {
    return `CR${this.run}${pad(this.#seq('bureau'), 7)}`
  }
  reviewTask(): string {
    return `TASK-${this.run}-${pad(this.#seq('task'), 5)}`
  }
  loanAccount(): string {
    return `62${this.run}${pad(this.#seq('loan'), 7)}`
  }
  message(topic: string): string {
    return `${topic}-${this.run}-${pad(this.#seq(`message:${topic}`), 6)}`
  }
  sms(): string {
    return `SMS${this.run}${pad(this.#seq('sms'), 6)}`
  }
}
