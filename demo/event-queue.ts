// The discrete-event core of the simulation: actions scheduled at simulated instants, run in
// time order (ties in the order they were scheduled, so a seed replays identically). Systems
// see only the Scheduler side; the runner pops and paces.

/** What a simulated system may do with time: read the current instant, schedule an action. */
export interface Scheduler {
  /** The simulated instant (epoch ms) of the action being run. */
  now(): number
  /** Runs `action` at simulated instant `timeMs` (never before the current one). */
  at(timeMs: number, action: () => void): void
  after(delayMs: number, action: () => void): void
}

interface Entry {
  readonly time: number
  readonly seq: number
  readonly action: () => void
}

const before = (a: Entry, b: Entry): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq)

export class EventQueue implements Scheduler {
  readonly #heap: Entry[] = []
  #seq = 0
  #now: number

  constructor(startMs: number) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  at(timeMs: number, action: () => void): void {
    if (!Number.isFinite(timeMs)) throw new RangeError(`cannot schedule at ${timeMs}`)
    this.#push({ time: Math.max(Math.round(timeMs), this.#now), seq: this.#seq++, action })
  }

  after(delayMs: number, action: () => void): void {
    this.at(this.#now + delayMs, action)
  }

  get size(): number {
    return this.#heap.length
  }

  /** The instant of the next action, or undefined when nothing is scheduled. */
  peekTime(): number | undefined {
    return this.#heap[0]?.time
  }

  /** Runs the next action with the clock set to its instant; false when the queue is empty. */
  runNext(): boolean {
    const entry = this.#pop()
    if (entry === undefined) return false
    this.#now = entry.time
    entry.action()
    return true
  }

  #push(entry: Entry): void {
    const heap = this.#heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  #pop(): Entry | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    heap[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === i) break
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
    return top
  }
}
