// A message queue with one consumer, as the scenarios' broker-fed flows have (lead-to-cash
// deliveries, bank-credit bookings, retail-O2O order routing): one message at a time at a
// simulated pace, a backlog draining faster than a lone message waits for the next poll, and
// nothing taken while the `consumer_stopped` fault is on; the messages wait and the backlog
// drains when it restarts. The caller consumes each message (its spans, its ledger).
import type { SeededRandom } from './random.ts'
import { SECOND } from './time.ts'
import type { World } from './world.ts'

/** Seconds between takes, drawn uniformly: while a backlog waits, and for a lone message. */
export interface ConsumerPace {
  readonly backlog: readonly [number, number]
  readonly lone: readonly [number, number]
}

export interface StoppableConsumerOptions<M> {
  readonly world: World
  /** The flow's own random stream (its draws interleave with the caller's, in order). */
  readonly random: SeededRandom
  readonly pace: ConsumerPace
  readonly consume: (message: M) => void
  /** Told the queue length after each arrival (the ledger's backlog high-water mark). */
  readonly onBacklog?: (length: number) => void
}

export class StoppableConsumer<M> {
  readonly #options: StoppableConsumerOptions<M>
  readonly #waiting: M[] = []
  #busy = false

  constructor(options: StoppableConsumerOptions<M>) {
    this.#options = options
  }

  get backlog(): number {
    return this.#waiting.length
  }

  /** A message reaches the queue now (simulated time). */
  arrive(message: M): void {
    this.#waiting.push(message)
    this.#options.onBacklog?.(this.#waiting.length)
    this.#kick()
  }

  /** Takes the next message, unless busy or stopped (then wakes up when the stop ends). */
  #kick(): void {
    if (this.#busy || this.#waiting.length === 0) return
    const { world, random, pace } = this.#options
    const { scheduler, faults } = world
    const now = scheduler.now()
    this.#busy = true
    if (faults.active('consumer_stopped', now)) {
      const restart = faults.activeUntil('consumer_stopped', now)
      if (Number.isFinite(restart)) {
        scheduler.at(restart, () => {
          this.#busy = false
          this.#kick()
        })
      }
      return
    }
    const [lo, hi] = this.#waiting.length > 1 ? pace.backlog : pace.lone
    scheduler.at(now + random.between(lo, hi) * SECOND, () => {
      this.#busy = false
      if (faults.active('consumer_stopped', scheduler.now())) return this.#kick()
      const message = this.#waiting.shift()
      if (message !== undefined) this.#options.consume(message)
      this.#kick()
    })
  }
}
