// The alert as a runbook step sees it (AlertContext): its labels, and the window its steps
// look at, from a while before the impact started to its resolution (or now). One definition
// for the automatic diagnostics and for the actions an operator runs.
import type { AlertContext } from './model.ts'

/** How far before the impact start steps look, so they see what led up to it. */
export const STEP_LOOKBACK_MS = 60 * 60_000

export interface AlertForSteps {
  readonly ruleId: string
  readonly fingerprint: string
  readonly episodeId: string
  readonly labels: Readonly<Record<string, string>>
  /** When the impact started (from the data), RFC 3339. */
  readonly impactStart: string
  /** When it fired, RFC 3339. */
  readonly firedAt: string
  /** When it resolved, RFC 3339; undefined while active (the window ends now). */
  readonly resolvedAt?: string | undefined
}

export function alertContext(alert: AlertForSteps, nowMs: number): AlertContext {
  return {
    ruleId: alert.ruleId,
    fingerprint: alert.fingerprint,
    episodeId: alert.episodeId,
    labels: alert.labels,
    windowStart: new Date(Date.parse(alert.impactStart) - STEP_LOOKBACK_MS).toISOString(),
    windowEnd: alert.resolvedAt ?? new Date(nowMs).toISOString(),
    firedAt: alert.firedAt,
  }
}
