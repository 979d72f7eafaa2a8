// What the API and reports read about alerts: the current ones, one alert with its timeline,
// diagnostics, notifications and operator actions; acknowledgements and silences as audited
// rows; and K11 (MTTA = ack - fired, MTTR = resolved - fired) per rule and month.
import { randomUUID } from 'node:crypto'
import { saveSilence } from '../notify/index.ts'
import type { KpiQuery } from '../processes/index.ts'
import { insertJsonEachRow, queryRows, type StoreConnection } from '../store/index.ts'

export type AlertFilterState = 'active' | 'pending' | 'firing' | 'recovering' | 'resolved' | 'all'

export interface AlertSummary {
  readonly fingerprint: string
  readonly ruleId: string
  readonly labels: Readonly<Record<string, string>>
  readonly state: string
  readonly episodeId: string
  readonly impactStart: string | null
  readonly firingSince: string | null
  readonly resolvedAt: string | null
  readonly resolveReason: string
  readonly lastResult: string
  readonly lastValue: number | null
  readonly lastEvaluated: string | null
  readonly summary: string
  readonly acknowledged: boolean
  /** Flap detection says it flaps (rules/flapping.ts). */
  readonly flapping: boolean
  /** Why its notifications are held now; '' when they are not. */
  readonly held: string
}

const iso = (ms: string | number): string | null => (Number(ms) > 0 ? new Date(Number(ms)).toISOString() : null)

interface StateRow {
  Fingerprint: string
  RuleId: string
  Labels: Record<string, string>
  State: string
  EpisodeId: string
  ImpactStartMs: string
  FiringSinceMs: string
  ResolvedMs: string
  ResolveReason: string
  LastResult: string
  LastValue: number | null
  LastEvaluatedMs: string
  Details: string
  acked: number
}

function summaryOf(r: StateRow): AlertSummary {
  const details = JSON.parse(r.Details || '{}') as { summary?: string; flap?: { flapping?: boolean }; held?: string }
  return {
    fingerprint: r.Fingerprint,
    ruleId: r.RuleId,
    labels: r.Labels,
    state: r.State,
    episodeId: r.EpisodeId,
    impactStart: iso(r.ImpactStartMs),
    firingSince: iso(r.FiringSinceMs),
    resolvedAt: iso(r.ResolvedMs),
    resolveReason: r.ResolveReason,
    lastResult: r.LastResult,
    lastValue: r.LastValue,
    lastEvaluated: iso(r.LastEvaluatedMs),
    summary: details.summary ?? '',
    acknowledged: Number(r.acked) === 1,
    flapping: details.flap?.flapping === true,
    held: details.held ?? '',
  }
}

const STATE_FILTERS: Readonly<Record<AlertFilterState, readonly string[]>> = {
  active: ['pending', 'firing', 'recovering'],
  pending: ['pending'],
  firing: ['firing'],
  recovering: ['recovering'],
  resolved: ['resolved'],
  all: ['pending', 'firing', 'recovering', 'resolved', 'inactive'],
}

export interface AlertListFilter {
  readonly state?: AlertFilterState
  readonly ruleId?: string
  readonly limit?: number
  readonly offset?: number
}

const LIST_WHERE = "State IN {states:Array(String)} AND ({rule:String} = '' OR RuleId = {rule:String})"
const listParams = (filter: AlertListFilter): Record<string, unknown> => ({
  states: STATE_FILTERS[filter.state ?? 'active'],
  rule: filter.ruleId ?? '',
  limit: filter.limit ?? 100,
  offset: filter.offset ?? 0,
})

/** The SQL of listAlerts(): alert_states rows (latest version) with `acked`, most recently evaluated first. */
export function alertListQuery(filter: AlertListFilter = {}): KpiQuery {
  return {
    sql: `SELECT s.*, EpisodeId IN (SELECT EpisodeId FROM alert_actions WHERE Action = 'ack') AS acked
     FROM (SELECT * FROM alert_states FINAL WHERE ${LIST_WHERE}) AS s
     ORDER BY LastEvaluatedMs DESC, Fingerprint LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params: listParams(filter),
  }
}

export async function listAlerts(store: StoreConnection, filter: AlertListFilter = {}): Promise<{ total: number; alerts: AlertSummary[] }> {
  const [count] = await queryRows<{ n: string }>(store, `SELECT count() AS n FROM alert_states FINAL WHERE ${LIST_WHERE}`, listParams(filter), {
    tag: 'alerts.count',
  })
  const query = alertListQuery(filter)
  const rows = await queryRows<StateRow>(store, query.sql, query.params, { tag: 'alerts.list' })
  return {
    total: Number(count?.n ?? 0),
    alerts: rows.map(summaryOf),
  }
}

/** Every state change of every alert in the window (by when it was written), newest first. */
export function alertTransitionsQuery(window: { readonly fromNs: bigint; readonly toNs: bigint }, limit = 500): KpiQuery {
  return {
    sql: `SELECT At, Fingerprint, EpisodeId, RuleId, Labels, FromState, ToState, Reason, EventTimeMs, Value
     FROM alert_transitions
     WHERE At >= fromUnixTimestamp64Nano({fromNs:Int64}) AND At < fromUnixTimestamp64Nano({toNs:Int64})
     ORDER BY At DESC LIMIT {limit:UInt32}`,
    params: { fromNs: window.fromNs.toString(), toNs: window.toNs.toString(), limit },
  }
}

export interface AlertDetail {
  readonly alert: AlertSummary
  readonly transitions: ReadonlyArray<{
    at: string
    episodeId: string
    from: string
    to: string
    reason: string
    eventTime: string | null
    value: number | null
  }>
  readonly diagnostics: ReadonlyArray<{
    at: string
    episodeId: string
    step: string
    phase: string
    rows: unknown
    truncated: boolean
    error: string
    durationMs: number
  }>
  readonly notifications: ReadonlyArray<{
    intendedAt: string
    receiver: string
    channel: string
    reason: string
    status: string
    attempts: number
    deliveredAt: string | null
  }>
  readonly actions: ReadonlyArray<{ at: string; action: string; actor: string; text: string }>
}

export async function alertDetail(store: StoreConnection, fingerprint: string): Promise<AlertDetail | undefined> {
  const { alerts } = await listAlertsByFingerprint(store, fingerprint)
  const alert = alerts[0]
  if (alert === undefined) return undefined
  const params = { fingerprint }
  const transitions = await queryRows<{
    At: string
    EpisodeId: string
    FromState: string
    ToState: string
    Reason: string
    EventTimeMs: string
    Value: number | null
  }>(
    store,
    'SELECT toString(At) AS At, EpisodeId, FromState, ToState, Reason, toString(EventTimeMs) AS EventTimeMs, Value FROM alert_transitions WHERE Fingerprint = {fingerprint:String} ORDER BY At, EventTimeMs',
    params,
    { tag: 'alerts.transitions' },
  )
  const diagnostics = await queryRows<{
    At: string
    EpisodeId: string
    Step: string
    Phase: string
    Rows: string
    Truncated: boolean
    Error: string
    DurationMs: number
  }>(
    store,
    'SELECT toString(At) AS At, EpisodeId, Step, Phase, Rows, Truncated, Error, DurationMs FROM alert_diagnostics WHERE Fingerprint = {fingerprint:String} ORDER BY At, Step',
    params,
    { tag: 'alerts.diagnostics' },
  )
  const notifications = await queryRows<{
    IntendedAt: string
    Receiver: string
    Channel: string
    Reason: string
    Status: string
    Attempts: number
    DeliveredAt: string | null
  }>(
    store,
    `SELECT toString(IntendedAt) AS IntendedAt, Receiver, Channel, Reason, Status, Attempts, toString(DeliveredAt) AS DeliveredAt
     FROM notification_log FINAL WHERE hasAny(EpisodeIds, (SELECT groupUniqArray(EpisodeId) FROM alert_transitions WHERE Fingerprint = {fingerprint:String}))
     ORDER BY IntendedAt`,
    params,
    { tag: 'alerts.notifications' },
  )
  const actions = await queryRows<{ At: string; Action: string; Actor: string; Text: string }>(
    store,
    'SELECT toString(At) AS At, Action, Actor, Text FROM alert_actions WHERE Fingerprint = {fingerprint:String} ORDER BY At',
    params,
    { tag: 'alerts.actions' },
  )
  const utc = (text: string): string => `${text.replace(' ', 'T')}Z`
  return {
    alert,
    transitions: transitions.map((t) => ({
      at: utc(t.At),
      episodeId: t.EpisodeId,
      from: t.FromState,
      to: t.ToState,
      reason: t.Reason,
      eventTime: iso(t.EventTimeMs),
      value: t.Value,
    })),
    diagnostics: diagnostics.map((d) => ({
      at: utc(d.At),
      episodeId: d.EpisodeId,
      step: d.Step,
      phase: d.Phase,
      rows: JSON.parse(d.Rows || '[]') as unknown,
      truncated: d.Truncated,
      error: d.Error,
      durationMs: d.DurationMs,
    })),
    notifications: notifications.map((n) => ({
      intendedAt: utc(n.IntendedAt),
      receiver: n.Receiver,
      channel: n.Channel,
      reason: n.Reason,
      status: n.Status,
      attempts: n.Attempts,
      deliveredAt: n.DeliveredAt === null ? null : utc(n.DeliveredAt),
    })),
    actions: actions.map((a) => ({ at: utc(a.At), action: a.Action, actor: a.Actor, text: a.Text })),
  }
}

async function listAlertsByFingerprint(store: StoreConnection, fingerprint: string): Promise<{ alerts: AlertSummary[] }> {
  const rows = await queryRows<StateRow>(
    store,
    `SELECT s.*, EpisodeId IN (SELECT EpisodeId FROM alert_actions WHERE Action = 'ack') AS acked
     FROM (SELECT * FROM alert_states FINAL WHERE Fingerprint = {fingerprint:String}) AS s`,
    { fingerprint },
    { tag: 'alerts.one' },
  )
  return { alerts: rows.map(summaryOf) }
}

const nowText = (): string => new Date().toISOString().replace('T', ' ').replace('Z', '')

/** An operator action on an alert's current episode: ack, unack or comment. */
export async function recordAlertAction(
  store: StoreConnection,
  fingerprint: string,
  episodeId: string,
  action: 'ack' | 'unack' | 'comment',
  actor: string,
  text: string,
): Promise<void> {
  const row = { At: nowText(), Action: action, Actor: actor, Fingerprint: fingerprint, EpisodeId: episodeId, SilenceId: '', Text: text, Details: '' }
  await insertJsonEachRow(store, 'alert_actions', `${JSON.stringify(row)}\n`, { tag: 'alerts.action' })
}

export interface Matcher {
  readonly name: string
  readonly value: string
  readonly isRegex: boolean
  readonly isEqual: boolean
}

export interface Silence {
  readonly id: string
  readonly matchers: readonly Matcher[]
  readonly startsAt: string
  readonly endsAt: string
  readonly createdBy: string
  readonly comment: string
}

export async function createSilence(store: StoreConnection, silence: Omit<Silence, 'id'>): Promise<Silence> {
  const created = { ...silence, id: randomUUID() }
  await writeSilence(store, created)
  await insertJsonEachRow(
    store,
    'alert_actions',
    `${JSON.stringify({ At: nowText(), Action: 'silence', Actor: silence.createdBy, Fingerprint: '', EpisodeId: '', SilenceId: created.id, Text: silence.comment, Details: JSON.stringify(silence.matchers) })}\n`,
    { tag: 'alerts.silence-audit' },
  )
  return created
}

/** Written through the notifiers' own function: one format for what they read back. */
async function writeSilence(store: StoreConnection, s: Silence): Promise<void> {
  await saveSilence(store, {
    id: s.id,
    matchers: s.matchers,
    startsAtMs: Date.parse(s.startsAt),
    endsAtMs: Date.parse(s.endsAt),
    createdBy: s.createdBy,
    comment: s.comment,
  })
}

export async function listSilences(store: StoreConnection, includeExpired = false): Promise<Silence[]> {
  // Aliases differ from the columns: ClickHouse would read an alias named EndsAt in the WHERE.
  const rows = await queryRows<{ SilenceId: string; Matchers: string; startsText: string; endsText: string; CreatedBy: string; Comment: string }>(
    store,
    `SELECT SilenceId, Matchers, toString(StartsAt) AS startsText, toString(EndsAt) AS endsText, CreatedBy, Comment FROM silences FINAL
     WHERE {all:Bool} OR EndsAt > now64(3) ORDER BY StartsAt`,
    { all: includeExpired },
    { tag: 'alerts.silences' },
  )
  return rows.map((r) => ({
    id: r.SilenceId,
    matchers: JSON.parse(r.Matchers) as Matcher[],
    startsAt: `${r.startsText.replace(' ', 'T')}Z`,
    endsAt: `${r.endsText.replace(' ', 'T')}Z`,
    createdBy: r.CreatedBy,
    comment: r.Comment,
  }))
}

/** Ends a silence now; answers false when there is no such active silence. */
export async function expireSilence(store: StoreConnection, id: string, actor: string): Promise<boolean> {
  const current = (await listSilences(store)).find((s) => s.id === id)
  if (current === undefined) return false
  await writeSilence(store, { ...current, endsAt: new Date().toISOString() })
  await insertJsonEachRow(
    store,
    'alert_actions',
    `${JSON.stringify({ At: nowText(), Action: 'expire_silence', Actor: actor, Fingerprint: '', EpisodeId: '', SilenceId: id, Text: '', Details: '' })}\n`,
    { tag: 'alerts.silence-audit' },
  )
  return true
}

export interface AlertKpiRow {
  readonly ruleId: string
  readonly month: string
  readonly episodes: number
  readonly acknowledged: number
  readonly mttaSeconds: number | null
  readonly resolved: number
  readonly mttrSeconds: number | null
}

/**
 * The SQL of K11 over the episodes that fired in the window: per rule (and month of firing),
 * episodes, acknowledged, MTTA = first ack - first firing, resolved, MTTR = first resolve -
 * first firing; `mtta`/`mttr` are NULL-free averages, meaningful only when their count > 0.
 */
export function alertKpisQuery(window: { readonly fromNs: bigint; readonly toNs: bigint }, per: 'rule' | 'rule and month'): KpiQuery {
  const month = per === 'rule and month' ? ", formatDateTime(firedAt, '%Y-%m') AS month" : ''
  return {
    sql: `WITH fired AS (
       SELECT EpisodeId, any(RuleId) AS firedRuleId,
              -- On the engine's time (the evaluation's event time), as the incident reports are.
              minIf(fromUnixTimestamp64Milli(EventTimeMs, 'UTC'), ToState = 'firing') AS firedAt,
              minIf(fromUnixTimestamp64Milli(EventTimeMs, 'UTC'), ToState = 'resolved') AS resolvedAt,
              countIf(ToState = 'resolved') > 0 AS isResolved
       FROM alert_transitions GROUP BY EpisodeId HAVING countIf(ToState = 'firing') > 0
     ),
     acks AS (SELECT EpisodeId, min(At) AS ackAt FROM alert_actions WHERE Action = 'ack' GROUP BY EpisodeId)
     SELECT firedRuleId AS ruleId${month}, count() AS episodes,
            countIf(acks.ackAt > toDateTime64(0, 3)) AS acknowledged,
            avgIf(dateDiff('millisecond', firedAt, acks.ackAt) / 1000, acks.ackAt > toDateTime64(0, 3)) AS mtta,
            countIf(isResolved) AS resolved,
            avgIf(dateDiff('millisecond', firedAt, resolvedAt) / 1000, isResolved) AS mttr
     FROM fired LEFT JOIN acks USING (EpisodeId)
     WHERE firedAt >= fromUnixTimestamp64Nano({fromNs:Int64}) AND firedAt < fromUnixTimestamp64Nano({toNs:Int64})
     GROUP BY ruleId${month === '' ? '' : ', month'} ORDER BY ruleId${month === '' ? '' : ', month'}`,
    params: { fromNs: window.fromNs.toString(), toNs: window.toNs.toString() },
  }
}

/** K11: per rule and month of firing, MTTA = first ack - fired, MTTR = resolved - fired. */
export async function alertKpis(store: StoreConnection, fromMs: number, toMs: number): Promise<AlertKpiRow[]> {
  const query = alertKpisQuery({ fromNs: BigInt(fromMs) * 1_000_000n, toNs: BigInt(toMs) * 1_000_000n }, 'rule and month')
  const rows = await queryRows<{
    ruleId: string
    month: string
    episodes: string
    acknowledged: string
    mtta: number | null
    resolved: string
    mttr: number | null
  }>(store, query.sql, query.params, { tag: 'alerts.kpis' })
  return rows.map((r) => ({
    ruleId: r.ruleId,
    month: r.month,
    episodes: Number(r.episodes),
    acknowledged: Number(r.acknowledged),
    mttaSeconds: Number(r.acknowledged) === 0 ? null : r.mtta,
    resolved: Number(r.resolved),
    mttrSeconds: Number(r.resolved) === 0 ? null : r.mttr,
  }))
}
