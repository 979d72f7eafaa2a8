// The alert state machine (issue 4), pure and on event time: every evaluation yields BREACH,
// OK or UNKNOWN for one alert (rule + label set), and the alert moves
//   inactive -> pending (BREACH; straight to firing when `for` is 0) -> firing (held >= for)
//   pending + OK -> inactive (dropped, nothing was ever sent)
//   firing + OK -> recovering (keep_firing_for > 0) -> firing again (same episode) or resolved
//   firing + OK -> resolved (keep_firing_for = 0)
//   resolved + BREACH -> a new episode.
// UNKNOWN holds the state with its timers frozen: time spent unknown does not count towards
// `for` or `keep_firing_for`. Nothing here reads a clock or the store: the engine persists
// what this returns, and a restart resumes from it.

export type EvalResult = 'breach' | 'ok' | 'unknown'
export type AlertPhase = 'inactive' | 'pending' | 'firing' | 'recovering' | 'resolved'
export type ResolveReason = 'recovered' | 'late_data' | 'instances_completed' | 'rule_changed' | 'silenced_at_source' | 'deleted'

export interface AlertTimers {
  readonly forMs: number
  readonly keepFiringForMs: number
}

export interface AlertRecord {
  readonly fingerprint: string
  readonly ruleId: string
  readonly labels: Readonly<Record<string, string>>
  readonly phase: AlertPhase
  /** fingerprint@impact start; '' while inactive. */
  readonly episodeId: string
  /** Event time the impact began (the first breaching data), ms. */
  readonly impactStartMs: number
  readonly pendingSinceMs: number
  readonly firingSinceMs: number
  readonly recoveringSinceMs: number
  /** When the condition stopped breaching (before keep_firing_for ran out). */
  readonly conditionClearedMs: number
  readonly resolvedMs: number
  readonly resolveReason: ResolveReason | ''
  /** Set while the latest results are UNKNOWN. */
  readonly unknownSinceMs: number
  /** Unknown time accumulated inside the current pending or recovering stretch. */
  readonly frozenMs: number
  readonly lastResult: EvalResult | ''
  readonly lastValue: number | null
  readonly lastEvaluatedMs: number
}

export interface Observation {
  /** Event time the evaluation stands for (its window end), ms. */
  readonly atMs: number
  readonly result: EvalResult
  readonly value?: number | null
  /** For a breach: when the breaching data began, if the rule knows (else atMs). */
  readonly impactStartMs?: number
}

export interface Transition {
  readonly from: AlertPhase
  readonly to: AlertPhase
  readonly atMs: number
  readonly reason: string
}

export interface Step {
  readonly record: AlertRecord
  readonly transitions: readonly Transition[]
}

export function inactiveRecord(fingerprint: string, ruleId: string, labels: Readonly<Record<string, string>>): AlertRecord {
  return {
    fingerprint,
    ruleId,
    labels,
    phase: 'inactive',
    episodeId: '',
    impactStartMs: 0,
    pendingSinceMs: 0,
    firingSinceMs: 0,
    recoveringSinceMs: 0,
    conditionClearedMs: 0,
    resolvedMs: 0,
    resolveReason: '',
    unknownSinceMs: 0,
    frozenMs: 0,
    lastResult: '',
    lastValue: null,
    lastEvaluatedMs: 0,
  }
}

const episodeOf = (fingerprint: string, startMs: number): string => `${fingerprint}@${startMs}`

/** Applies one evaluation. Observations older than the last one are ignored (replays). */
export function applyObservation(record: AlertRecord, obs: Observation, timers: AlertTimers): Step {
  if (record.lastEvaluatedMs > 0 && obs.atMs < record.lastEvaluatedMs) return { record, transitions: [] }
  const base = { ...record, lastResult: obs.result, lastValue: obs.value ?? record.lastValue, lastEvaluatedMs: obs.atMs }
  if (obs.result === 'unknown') {
    return { record: { ...base, unknownSinceMs: record.unknownSinceMs > 0 ? record.unknownSinceMs : obs.atMs }, transitions: [] }
  }
  // Leaving UNKNOWN: the frozen stretch does not count towards the running timer.
  const frozenMs = record.frozenMs + (record.unknownSinceMs > 0 ? obs.atMs - record.unknownSinceMs : 0)
  const known = { ...base, unknownSinceMs: 0, frozenMs }
  const move = (to: AlertPhase, reason: string, next: AlertRecord): Step => ({
    record: next,
    transitions: [{ from: record.phase, to, atMs: obs.atMs, reason }],
  })

  if (obs.result === 'breach') {
    switch (record.phase) {
      case 'inactive':
      case 'resolved': {
        const impactStartMs = obs.impactStartMs ?? obs.atMs
        const fresh = {
          ...known,
          episodeId: episodeOf(record.fingerprint, impactStartMs),
          impactStartMs,
          pendingSinceMs: obs.atMs,
          firingSinceMs: 0,
          recoveringSinceMs: 0,
          conditionClearedMs: 0,
          resolvedMs: 0,
          resolveReason: '' as const,
          frozenMs: 0,
        }
        if (timers.forMs === 0) return move('firing', 'breach', { ...fresh, phase: 'firing', firingSinceMs: obs.atMs })
        return move('pending', 'breach', { ...fresh, phase: 'pending' })
      }
      case 'pending':
        if (obs.atMs - record.pendingSinceMs - frozenMs >= timers.forMs)
          return move('firing', 'held_for', { ...known, phase: 'firing', firingSinceMs: obs.atMs, frozenMs: 0 })
        return { record: known, transitions: [] }
      case 'firing':
        return { record: { ...known, frozenMs: 0 }, transitions: [] }
      case 'recovering':
        return move('firing', 'breach_again', { ...known, phase: 'firing', recoveringSinceMs: 0, conditionClearedMs: 0, frozenMs: 0 })
    }
  }
  // OK
  switch (record.phase) {
    case 'inactive':
    case 'resolved':
      return { record: { ...known, frozenMs: 0 }, transitions: [] }
    case 'pending':
      return move('inactive', 'cleared_while_pending', { ...known, phase: 'inactive', episodeId: '', pendingSinceMs: 0, impactStartMs: 0, frozenMs: 0 })
    case 'firing':
      if (timers.keepFiringForMs > 0)
        return move('recovering', 'condition_cleared', {
          ...known,
          phase: 'recovering',
          recoveringSinceMs: obs.atMs,
          conditionClearedMs: obs.atMs,
          frozenMs: 0,
        })
      return move('resolved', 'recovered', {
        ...known,
        phase: 'resolved',
        conditionClearedMs: obs.atMs,
        resolvedMs: obs.atMs,
        resolveReason: 'recovered',
        frozenMs: 0,
      })
    case 'recovering':
      if (obs.atMs - record.recoveringSinceMs - frozenMs >= timers.keepFiringForMs) {
        return move('resolved', 'recovered', { ...known, phase: 'resolved', resolvedMs: obs.atMs, resolveReason: 'recovered', frozenMs: 0 })
      }
      return { record: known, transitions: [] }
  }
}

/**
 * Resolves an active alert for a reason other than recovery: late data showed it never truly
 * breached, its instances completed, its rule changed or went away. Inactive ones stay so.
 */
export function resolveFor(record: AlertRecord, reason: Exclude<ResolveReason, 'recovered'>, atMs: number): Step {
  if (record.phase === 'inactive' || record.phase === 'resolved') return { record, transitions: [] }
  if (record.phase === 'pending') {
    return {
      record: { ...record, phase: 'inactive', episodeId: '', pendingSinceMs: 0, impactStartMs: 0 },
      transitions: [{ from: 'pending', to: 'inactive', atMs, reason }],
    }
  }
  const next: AlertRecord = { ...record, phase: 'resolved', resolvedMs: atMs, conditionClearedMs: record.conditionClearedMs || atMs, resolveReason: reason }
  return { record: next, transitions: [{ from: record.phase, to: 'resolved', atMs, reason }] }
}

/** Pending and firing alerts, and recovering ones (they still notify as firing). */
export const isActive = (record: AlertRecord): boolean => record.phase === 'firing' || record.phase === 'recovering'
