// The virtual clock: simulated time runs `speed` times real time from a start in the past
// (or as fast as the machine allows with speed `max`), and never ahead of the wall clock, so
// every timestamp stays within what the collector accepts. Once the simulation has caught
// up with now it runs in real time: seeding a past window, then a live view.

export type Speed = number | 'max'

export interface Pace {
  /** First simulated instant (epoch ms). */
  readonly simStartMs: number
  /** The real instant the simulation started. */
  readonly realStartMs: number
  readonly speed: Speed
}

/**
 * The real instant at which the action at simulated instant `simMs` may run: when the
 * accelerated clock reaches it, and not before the wall clock does.
 */
export function realInstantFor(pace: Pace, simMs: number): number {
  const accelerated = pace.speed === 'max' ? Number.NEGATIVE_INFINITY : pace.realStartMs + (simMs - pace.simStartMs) / pace.speed
  return Math.max(accelerated, simMs)
}

/** Parses `--speed`: a positive factor (60: an hour a minute) or `max`. */
export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return 'max'
  const speed = Number(text)
  return /^\d+(\.\d+)?$/.test(text) && speed > 0 ? speed : undefined
}
