// The baseline of an anomaly rule, pure: where its past windows lie (the same hour of the
// previous weeks, or the windows just before, for an EWMA) and the band their values make.
// The values come from the same KPI functions as the current one (rules/kpi-measure.ts).

const WEEK_MS = 7 * 86_400_000
/** MAD x 1.4826 estimates the standard deviation of normal data, so k means the same for both centers. */
const MAD_TO_SIGMA = 1.4826

export type BaselineSpec =
  | {
      readonly method: 'seasonal'
      readonly weeks: number
      readonly center: 'median' | 'mean'
      readonly k: number
      readonly minDeviation: number
      readonly minSamples: number
    }
  | {
      readonly method: 'ewma'
      readonly alpha: number
      readonly history: number
      /** Distance between the past windows (default: the rule's window). */
      readonly everyMs: number
      readonly k: number
      readonly minDeviation: number
      readonly minSamples: number
    }

export type Direction = 'above' | 'below' | 'both'

export interface Band {
  readonly center: number
  readonly lower: number
  readonly upper: number
  /** How many past windows had a value. */
  readonly samples: number
}

/** The event times (window ends) of the past windows, oldest first. */
export function baselineTimes(spec: BaselineSpec, atMs: number): number[] {
  const count = spec.method === 'seasonal' ? spec.weeks : spec.history
  const step = spec.method === 'seasonal' ? WEEK_MS : spec.everyMs
  return Array.from({ length: count }, (_, i) => atMs - (count - i) * step)
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b)

/** Center and spread of the past values (oldest first); undefined when there are none. */
function centerAndSpread(spec: BaselineSpec, values: readonly number[]): { center: number; spread: number } | undefined {
  if (values.length === 0) return undefined
  if (spec.method === 'ewma') {
    // West's incremental exponentially weighted mean and variance, seeded with the oldest value.
    let mean = values[0]!
    let variance = 0
    for (const x of values.slice(1)) {
      const diff = x - mean
      const increment = spec.alpha * diff
      mean += increment
      variance = (1 - spec.alpha) * (variance + diff * increment)
    }
    return { center: mean, spread: Math.sqrt(variance) }
  }
  if (spec.center === 'median') {
    const center = median(ascending(values))
    return { center, spread: MAD_TO_SIGMA * median(ascending(values.map((v) => Math.abs(v - center)))) }
  }
  // Population standard deviation: the past weeks are the whole reference, not a sample of it.
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return { center: mean, spread: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) }
}

/** The band: center ± max(k × spread, min_deviation). */
export function baselineBand(spec: BaselineSpec, values: readonly number[]): Band | undefined {
  const stats = centerAndSpread(spec, values)
  if (stats === undefined) return undefined
  const half = Math.max(spec.k * stats.spread, spec.minDeviation)
  return { center: stats.center, lower: stats.center - half, upper: stats.center + half, samples: values.length }
}

export function outsideBand(direction: Direction, value: number, band: Band): boolean {
  const above = value > band.upper
  const below = value < band.lower
  return direction === 'above' ? above : direction === 'below' ? below : above || below
}
