// One observation of one alert, pure: the state machine's step plus what the engine keeps
// beside the record (rendered annotations, impact, flap history, the late systems of an
// UNKNOWN, the record before an UNKNOWN stretch and the breaching event times, for late-data
// re-evaluation). The engine stores what this returns.
import type { AlertDetails, StoredAlert, TransitionRow } from './alert-store.ts'
import { NOT_FLAPPING, observeFlapping } from './flapping.ts'
import type { FlapSpec } from './model.ts'
import type { Sample } from './sample.ts'
import { applyObservation, inactiveRecord, type AlertRecord, type AlertTimers, type Observation } from './state-machine.ts'
import { renderTemplate } from './template.ts'

/** Breaching evaluations remembered per episode for the late-data check (rules/late-data.ts). */
export const MAX_BREACH_TIMES = 10
const rememberBreach = (times: readonly number[], atMs: number): number[] => [...times, atMs].slice(-MAX_BREACH_TIMES)

export interface ObserveSettings {
  readonly ruleId: string
  readonly timers: AlertTimers
  readonly flap?: FlapSpec | undefined
  readonly annotations: { readonly summary: string; readonly description: string }
}

export interface Observed {
  readonly next: StoredAlert
  readonly transitions: readonly TransitionRow[]
}

export const emptyAlert = (fp: string, ruleId: string, labels: Readonly<Record<string, string>>): StoredAlert => ({
  record: inactiveRecord(fp, ruleId, labels),
  details: { summary: '', description: '', reason: '' },
})

export function observeAlert(current: StoredAlert, settings: ObserveSettings, obs: Observation, sample: Sample | undefined): Observed {
  const before = current.record
  const step = applyObservation(before, obs, settings.timers)
  const record = step.record
  const values = { value: obs.value ?? null, labels: record.labels, impact: sample?.impact, baseline: sample?.baseline }
  const { summary: _s, description: _d, reason: _r, impact, lateSystems, beforeUnknown, breachTimes, flap, ...kept } = current.details
  const unknown = obs.result === 'unknown'
  // An UNKNOWN without a sample (a failed query) keeps the late systems it had.
  const late = sample === undefined ? lateSystems : sample.lateSystems
  const details: AlertDetails = {
    ...kept,
    summary: renderTemplate(settings.annotations.summary, values),
    description: renderTemplate(settings.annotations.description, values),
    reason: sample?.reason ?? 'absent from the evaluation',
    ...(sample?.impact !== undefined ? { impact: sample.impact } : impact !== undefined ? { impact } : {}),
    ...(unknown && late !== undefined ? { lateSystems: late } : {}),
    // The record as it was before an UNKNOWN stretch: late-data re-evaluation replays from it.
    ...(unknown ? { beforeUnknown: before.unknownSinceMs > 0 && beforeUnknown !== undefined ? beforeUnknown : stripped(before) } : {}),
    ...episodeBreaches(record, obs, breachTimes),
    ...(settings.flap !== undefined ? { flap: observeFlapping(flap ?? NOT_FLAPPING, obs.result, settings.flap) } : {}),
  }
  const next: StoredAlert = { record, details }
  const transitions: TransitionRow[] = step.transitions.map((transition) => ({ record, transition, details: details.reason }))
  const wasFlapping = flap?.flapping === true
  const isFlapping = details.flap?.flapping === true
  if (wasFlapping !== isFlapping) {
    const reason = isFlapping ? 'flapping_started' : 'flapping_stopped'
    transitions.push({ record, transition: { from: record.phase, to: record.phase, atMs: obs.atMs, reason }, details: reason })
  }
  return { next, transitions }
}

/** Stored records carry no nested history: a checkpoint is the bare record. */
const stripped = (record: AlertRecord): AlertRecord => ({ ...record })

/** The breaching event times of the current episode (a new episode starts a new list). */
function episodeBreaches(record: AlertRecord, obs: Observation, previous: readonly number[] | undefined): { breachTimes?: readonly number[] } {
  if (record.phase === 'inactive' || record.phase === 'resolved') return {}
  const same = previous !== undefined && previous.length > 0 && previous[0]! >= record.pendingSinceMs
  const kept = same ? previous : []
  return { breachTimes: obs.result === 'breach' ? rememberBreach(kept, obs.atMs) : kept }
}
