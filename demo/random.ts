// Seeded pseudo-random numbers for the simulation. Every draw goes through one of these, in
// event order, so a seed reproduces the same orders, delays and failures. sfc32 seeded by
// splitmix32: small, fast and well mixed; each part forks its own stream by name, so a draw
// added in one system does not shift the numbers of the others.

const splitmix32 = (state: number): [number, number] => {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return [next, (z ^ (z >>> 16)) >>> 0]
}

const hashLabel = (label: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export class SeededRandom {
  readonly seed: number
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    let state = this.seed
    const words: number[] = []
    for (let i = 0; i < 4; i++) {
      const [next, word] = splitmix32(state)
      state = next
      words.push(word)
    }
    ;[this.#a, this.#b, this.#c, this.#d] = words as [number, number, number, number]
    // Warm up: the first outputs of a freshly seeded sfc32 are weakly mixed.
    for (let i = 0; i < 12; i++) this.next()
  }

  /** An independent stream for one part of the simulation, fixed by the seed and `label`. */
  fork(label: string): SeededRandom {
    return new SeededRandom((this.seed ^ hashLabel(label)) >>> 0)
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return (t >>> 0) / 4_294_967_296
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  /** Exponentially distributed with this mean: the gap between Poisson arrivals. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean
  }

  /** Log-normal around `median`: amounts and durations with a long right tail. */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next()
    const v = this.next()
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return median * Math.exp(sigma * normal)
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick needs at least one item')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** One value, chosen with probability proportional to its weight. */
  weighted<T>(items: ReadonlyArray<readonly [weight: number, value: T]>): T {
    const total = items.reduce((sum, [weight]) => sum + weight, 0)
    let r = this.next() * total
    for (const [weight, value] of items) {
      r -= weight
      if (r < 0) return value
    }
    const last = items.at(-1)
    if (last === undefined) throw new RangeError('weighted needs at least one item')
    return last[1]
  }
}
