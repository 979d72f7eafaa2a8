// What the store holds about one alert episode: its transitions (on the engine's event time),
// the notifications that reported it, the operator actions on it, the runbook diagnostics
// attached to it, and the alert's stored record while this episode is still its current one.
import type { AlertImpact } from '../../notify/index.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { EpisodeKey } from './episode-key.ts'

export interface TransitionFact {
  readonly atMs: number
  readonly ruleId: string
  readonly labels: Readonly<Record<string, string>>
  readonly from: string
  readonly to: string
  readonly reason: string
  readonly value: number | null
  readonly details: string
}

export interface NotificationFact {
  readonly intendedMs: number
  readonly deliveredMs: number | null
  readonly receiver: string
  readonly channel: string
  readonly reason: string
  readonly status: string
  readonly attempts: number
  readonly error: string
  /** The alert as this notification reported it (undefined when it did not carry it). */
  readonly alert: NotifiedAlert | undefined
}

/** What a notification said about the episode's alert: its summary and impact as sent. */
export interface NotifiedAlert {
  readonly summary: string
  readonly impact: AlertImpact | undefined
}

export interface ActionFact {
  readonly atMs: number
  readonly action: string
  readonly actor: string
  readonly text: string
  readonly details: string
}

export interface DiagnosticFact {
  readonly atMs: number
  readonly runbook: string
  readonly step: string
  readonly phase: string
  readonly rows: string
  readonly truncated: boolean
  readonly error: string
  readonly durationMs: number
}

export interface StoredEpisodeState {
  readonly phase: string
  readonly conditionClearedMs: number
  readonly details: { readonly summary?: string; readonly impact?: unknown }
}

export interface EpisodeRows {
  readonly transitions: readonly TransitionFact[]
  readonly notifications: readonly NotificationFact[]
  readonly actions: readonly ActionFact[]
  readonly diagnostics: readonly DiagnosticFact[]
  readonly state: StoredEpisodeState | undefined
}

/** This episode's alert in a notification's payload (the message as sent). */
function alertIn(payload: string, episodeId: string): NotifiedAlert | undefined {
  try {
    const sent = JSON.parse(payload) as { alerts?: Array<{ episodeId?: string; annotations?: { summary?: string }; impact?: AlertImpact }> }
    const alert = sent.alerts?.find((a) => a.episodeId === episodeId)
    return alert === undefined ? undefined : { summary: alert.annotations?.summary ?? '', impact: alert.impact }
  } catch {
    return undefined
  }
}

const orNull = (ms: string | null): number | null => (ms === null || ms === '' ? null : Number(ms))

export async function episodeRows(store: StoreConnection, key: EpisodeKey): Promise<EpisodeRows> {
  const params = { episode: key.episodeId, fingerprint: key.fingerprint }
  const transitions = await queryRows<{
    atMs: string
    RuleId: string
    Labels: Record<string, string>
    FromState: string
    ToState: string
    Reason: string
    Value: number | null
    Details: string
  }>(
    store,
    `SELECT toString(EventTimeMs) AS atMs, RuleId, Labels, FromState, ToState, Reason, Value, Details
     FROM alert_transitions WHERE Fingerprint = {fingerprint:String} AND EpisodeId = {episode:String} ORDER BY EventTimeMs, At`,
    params,
    { tag: 'reports.transitions' },
  )
  const notifications = await queryRows<{
    intendedMs: string
    deliveredMs: string | null
    Receiver: string
    Channel: string
    Reason: string
    Status: string
    Attempts: number
    Error: string
    Payload: string
  }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(IntendedAt)) AS intendedMs, toString(toUnixTimestamp64Milli(DeliveredAt)) AS deliveredMs,
            Receiver, Channel, Reason, Status, Attempts, Error, Payload
     FROM notification_log FINAL WHERE has(EpisodeIds, {episode:String}) ORDER BY IntendedAt, Receiver, Channel`,
    params,
    { tag: 'reports.notifications' },
  )
  const actions = await queryRows<{ atMs: string; Action: string; Actor: string; Text: string; Details: string }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(At)) AS atMs, Action, Actor, Text, Details
     FROM alert_actions WHERE Fingerprint = {fingerprint:String} AND EpisodeId = {episode:String} ORDER BY At`,
    params,
    { tag: 'reports.actions' },
  )
  const diagnostics = await queryRows<{
    atMs: string
    Runbook: string
    Step: string
    Phase: string
    Rows: string
    Truncated: boolean
    Error: string
    DurationMs: number
  }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(At)) AS atMs, Runbook, Step, Phase, Rows, Truncated, Error, DurationMs
     FROM alert_diagnostics WHERE EpisodeId = {episode:String} ORDER BY At, Step`,
    params,
    { tag: 'reports.diagnostics' },
  )
  // A pending episode that cleared is dropped by a transition the engine writes with no
  // episode (the record is inactive by then): the first such drop after it went pending is its end.
  const last = transitions.at(-1)
  if (last?.ToState === 'pending') {
    const dropped = await queryRows<(typeof transitions)[number]>(
      store,
      `SELECT toString(EventTimeMs) AS atMs, RuleId, Labels, FromState, ToState, Reason, Value, Details
       FROM alert_transitions
       WHERE Fingerprint = {fingerprint:String} AND EpisodeId = '' AND FromState = 'pending' AND ToState = 'inactive' AND EventTimeMs >= {since:Int64}
       ORDER BY EventTimeMs, At LIMIT 1`,
      { ...params, since: last.atMs },
      { tag: 'reports.dropped' },
    )
    transitions.push(...dropped)
  }
  const [state] = await queryRows<{ State: string; ConditionClearedMs: string; Details: string }>(
    store,
    `SELECT State, toString(ConditionClearedMs) AS ConditionClearedMs, Details
     FROM alert_states FINAL WHERE Fingerprint = {fingerprint:String} AND EpisodeId = {episode:String}`,
    params,
    { tag: 'reports.state' },
  )
  return {
    transitions: transitions.map((t) => ({
      atMs: Number(t.atMs),
      ruleId: t.RuleId,
      labels: t.Labels,
      from: t.FromState,
      to: t.ToState,
      reason: t.Reason,
      value: t.Value,
      details: t.Details,
    })),
    notifications: notifications.map((n) => ({
      intendedMs: Number(n.intendedMs),
      deliveredMs: orNull(n.deliveredMs),
      receiver: n.Receiver,
      channel: n.Channel,
      reason: n.Reason,
      status: n.Status,
      attempts: Number(n.Attempts),
      error: n.Error,
      alert: alertIn(n.Payload, key.episodeId),
    })),
    actions: actions.map((a) => ({ atMs: Number(a.atMs), action: a.Action, actor: a.Actor, text: a.Text, details: a.Details })),
    diagnostics: diagnostics.map((d) => ({
      atMs: Number(d.atMs),
      runbook: d.Runbook,
      step: d.Step,
      phase: d.Phase,
      rows: d.Rows,
      truncated: Boolean(d.Truncated),
      error: d.Error,
      durationMs: Number(d.DurationMs),
    })),
    state:
      state === undefined
        ? undefined
        : {
            phase: state.State,
            conditionClearedMs: Number(state.ConditionClearedMs),
            details: JSON.parse(state.Details || '{}') as StoredEpisodeState['details'],
          },
  }
}

/** The starts of an alert's episodes, newest first: what a 404 suggests instead. */
export async function episodeStarts(store: StoreConnection, fingerprint: string): Promise<number[]> {
  const rows = await queryRows<{ EpisodeId: string }>(
    store,
    `SELECT DISTINCT EpisodeId FROM alert_transitions WHERE Fingerprint = {fingerprint:String} AND EpisodeId != ''`,
    { fingerprint },
    { tag: 'reports.episode-starts' },
  )
  return rows.map((r) => Number(r.EpisodeId.slice(r.EpisodeId.lastIndexOf('@') + 1))).sort((a, b) => b - a)
}
