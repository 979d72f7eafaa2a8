// A bound on queries running at once: the engine is shared with the collector and the API,
// so a dashboard's burst waits its turn instead of starving them, and a pile-up past the queue
// is refused with ClickHouse's TOO_MANY_SIMULTANEOUS_QUERIES.
import { clickHouseError, TOO_MANY_SIMULTANEOUS_QUERIES } from './errors.ts'

export class QuerySlots {
  private running = 0
  private readonly waiting: Array<() => void> = []

  readonly limit: number
  readonly maxWaiting: number

  constructor(limit: number, maxWaiting: number) {
    this.limit = limit
    this.maxWaiting = maxWaiting
  }

  /** Resolves with a release function once a slot is free; throws when the queue is full. */
  async acquire(): Promise<() => void> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) {
        throw clickHouseError(TOO_MANY_SIMULTANEOUS_QUERIES, `Too many simultaneous queries. Maximum: ${this.limit} running and ${this.maxWaiting} waiting`)
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else this.running++
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next === undefined) this.running--
      else next() // the slot passes straight to the next in line
    }
  }
}
