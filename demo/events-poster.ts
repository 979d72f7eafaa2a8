// The legacy systems' route: batches of business events posted as JSON to POST /v1/events,
// as a bank-statement import or a batch bridge would. A batch may be sent twice (the
// duplicate_deliveries fault: the answer was lost, the sender retries); its event ids make
// the second copy a no-op downstream.
import type { DemoSink, PostedEvent } from './sink.ts'

export interface PostStats {
  readonly batches: number
  readonly events: number
  readonly accepted: number
  readonly rejected: number
  /** Batches posted a second time. */
  readonly duplicates: number
  readonly failures: number
  readonly lastError: string | undefined
}

export class EventsPoster {
  readonly #sink: DemoSink
  readonly #duplicate: () => boolean
  readonly #inFlight = new Set<Promise<void>>()
  #stats = { batches: 0, events: 0, accepted: 0, rejected: 0, duplicates: 0, failures: 0, lastError: undefined as string | undefined }

  constructor(sink: DemoSink, duplicate: () => boolean) {
    this.#sink = sink
    this.#duplicate = duplicate
  }

  /** Sends one batch now (in the background); flush() waits for it. */
  post(events: readonly PostedEvent[]): void {
    if (events.length === 0) return
    const twice = this.#duplicate()
    const sending = this.#send(events, twice).finally(() => this.#inFlight.delete(sending))
    this.#inFlight.add(sending)
  }

  get pending(): number {
    return this.#inFlight.size
  }

  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }

  stats(): PostStats {
    return { ...this.#stats }
  }

  async #send(events: readonly PostedEvent[], twice: boolean): Promise<void> {
    for (let copy = 0; copy < (twice ? 2 : 1); copy++) {
      try {
        const outcome = await this.#sink.postEvents(events)
        this.#stats.batches++
        this.#stats.events += events.length
        this.#stats.accepted += outcome.accepted
        this.#stats.rejected += outcome.rejected
        if (copy === 1) this.#stats.duplicates++
      } catch (error) {
        this.#stats.failures++
        this.#stats.lastError = error instanceof Error ? error.message : String(error)
      }
    }
  }
}
