// Persistence of the alert state machine: the current record of every alert (alert_states,
// latest version wins) and every transition (alert_transitions). Written before notifications
// go out, so a restart resumes `for` and `keep_firing_for` where they were and sends nothing
// twice.
import { insertJsonEachRow, queryRows, type StoreConnection } from '../store/index.ts'
import type { FlapState } from './flapping.ts'
import type { AlertPhase, AlertRecord, EvalResult, ResolveReason, Transition } from './state-machine.ts'

interface StateRow {
  Fingerprint: string
  RuleId: string
  Labels: Record<string, string>
  State: AlertPhase
  EpisodeId: string
  ImpactStartMs: string
  PendingSinceMs: string
  FiringSinceMs: string
  RecoveringSinceMs: string
  ConditionClearedMs: string
  ResolvedMs: string
  ResolveReason: ResolveReason | ''
  UnknownSinceMs: string
  LastResult: EvalResult | ''
  LastValue: number | null
  LastEvaluatedMs: string
  Details: string
}

export interface StoredAlert {
  readonly record: AlertRecord
  readonly details: AlertDetails
}

/** What the record does not hold but notifications and the API show. */
export interface AlertDetails {
  readonly summary: string
  readonly description: string
  readonly reason: string
  readonly impact?: unknown
  /** Unknown time accumulated in the current pending/recovering stretch (timers frozen). */
  readonly frozenMs?: number
  /** While UNKNOWN on late data: the systems behind (SourceLate{system}). */
  readonly lateSystems?: readonly string[]
  /** Flap detection over the last evaluations (rules with flap_detection). */
  readonly flap?: FlapState
  /** The last episode handed to the notifiers: a held alert's known episode still resolves. */
  readonly notifiedEpisode?: string
  /** Why its notifications are held now ('flapping', 'inhibited by SourceLate{system=X}'); '' none. */
  readonly held?: string
  /** Late-data re-evaluation: the record before the current UNKNOWN stretch began. */
  readonly beforeUnknown?: AlertRecord
  /** Event times of this episode's breaching evaluations (late-data re-evaluation checks them). */
  readonly breachTimes?: readonly number[]
  /** Late arrivals up to this time were checked against breachTimes. */
  readonly lateCheckedMs?: number
}

let lastVersion = 0n
function nextVersion(): string {
  const now = BigInt(Date.now()) * 1_000_000n
  lastVersion = now > lastVersion ? now : lastVersion + 1n
  return lastVersion.toString()
}

export async function loadAlertStates(store: StoreConnection): Promise<Map<string, StoredAlert>> {
  const rows = await queryRows<StateRow>(store, 'SELECT * EXCEPT Version FROM alert_states FINAL', {}, { tag: 'rules.load-states' })
  const out = new Map<string, StoredAlert>()
  for (const r of rows) {
    const details = JSON.parse(r.Details || '{}') as AlertDetails
    out.set(r.Fingerprint, {
      details,
      record: {
        fingerprint: r.Fingerprint,
        ruleId: r.RuleId,
        labels: r.Labels,
        phase: r.State,
        episodeId: r.EpisodeId,
        impactStartMs: Number(r.ImpactStartMs),
        pendingSinceMs: Number(r.PendingSinceMs),
        firingSinceMs: Number(r.FiringSinceMs),
        recoveringSinceMs: Number(r.RecoveringSinceMs),
        conditionClearedMs: Number(r.ConditionClearedMs),
        resolvedMs: Number(r.ResolvedMs),
        resolveReason: r.ResolveReason,
        unknownSinceMs: Number(r.UnknownSinceMs),
        frozenMs: details.frozenMs ?? 0,
        lastResult: r.LastResult,
        lastValue: r.LastValue,
        lastEvaluatedMs: Number(r.LastEvaluatedMs),
      },
    })
  }
  return out
}

export async function saveAlertStates(store: StoreConnection, alerts: readonly StoredAlert[]): Promise<void> {
  if (alerts.length === 0) return
  const version = nextVersion()
  const body = alerts
    .map(({ record: r, details }) =>
      JSON.stringify({
        Fingerprint: r.fingerprint,
        RuleId: r.ruleId,
        Labels: r.labels,
        State: r.phase,
        EpisodeId: r.episodeId,
        ImpactStartMs: r.impactStartMs,
        PendingSinceMs: r.pendingSinceMs,
        FiringSinceMs: r.firingSinceMs,
        RecoveringSinceMs: r.recoveringSinceMs,
        ConditionClearedMs: r.conditionClearedMs,
        ResolvedMs: r.resolvedMs,
        ResolveReason: r.resolveReason,
        UnknownSinceMs: r.unknownSinceMs,
        LastResult: r.lastResult,
        LastValue: r.lastValue,
        LastEvaluatedMs: r.lastEvaluatedMs,
        Details: JSON.stringify({ ...details, frozenMs: r.frozenMs }),
        Version: version,
      }),
    )
    .join('\n')
  await insertJsonEachRow(store, 'alert_states', `${body}\n`, { tag: 'rules.save-states' })
}

export interface TransitionRow {
  readonly record: AlertRecord
  readonly transition: Transition
  readonly details: string
}

export async function saveTransitions(store: StoreConnection, rows: readonly TransitionRow[]): Promise<void> {
  if (rows.length === 0) return
  const body = rows
    .map(({ record, transition, details }) =>
      JSON.stringify({
        At: new Date(Date.now()).toISOString().replace('T', ' ').replace('Z', ''),
        Fingerprint: record.fingerprint,
        EpisodeId: record.episodeId,
        RuleId: record.ruleId,
        Labels: record.labels,
        FromState: transition.from,
        ToState: transition.to,
        Reason: transition.reason,
        EventTimeMs: transition.atMs,
        Value: record.lastValue,
        Details: details,
      }),
    )
    .join('\n')
  await insertJsonEachRow(store, 'alert_transitions', `${body}\n`, { tag: 'rules.save-transitions' })
}
