// Flap detection, pure, Nagios style: over the last N evaluations of an alert, the share of
// consecutive known results that differ (BREACH after OK or OK after BREACH). At or above the
// high threshold the alert starts flapping; it stops once the share falls below the low one.
// UNKNOWN results are not states of the condition and are left out. While an alert flaps, the
// engine holds its notifications (rules/notification-hold.ts), not its resolve.
import type { FlapSpec } from './model.ts'
import type { EvalResult } from './state-machine.ts'

export interface FlapState {
  /** The last known results, oldest first: 'b' breach, 'o' ok; at most the window. */
  readonly history: string
  readonly flapping: boolean
}

export const NOT_FLAPPING: FlapState = { history: '', flapping: false }

/** State changes among the history's consecutive results, as a percentage of the possible ones. */
export function changePercent(history: string): number {
  if (history.length < 2) return 0
  let changes = 0
  for (let i = 1; i < history.length; i++) if (history[i] !== history[i - 1]) changes++
  return (changes / (history.length - 1)) * 100
}

export function observeFlapping(state: FlapState, result: EvalResult, spec: FlapSpec): FlapState {
  if (result === 'unknown') return state
  const history = (state.history + (result === 'breach' ? 'b' : 'o')).slice(-spec.window)
  const percent = changePercent(history)
  // Starting needs a full window, so two early changes do not count as 100 % flapping.
  const flapping = state.flapping ? percent >= spec.low : history.length >= spec.window && percent >= spec.high
  return { history, flapping }
}
