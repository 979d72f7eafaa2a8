// The notifiers' persisted state. notification_log: every notification is written as an
// intent under its idempotency key BEFORE it is sent, then again as delivered or failed.
// notification_groups: per receiver and group the last report (sequence, alerts, title) and
// the episode's thread. A restart reads both back (reconcile), so nothing is sent twice or lost.
import { insertJsonEachRow, queryRows, type StoreConnection } from '../store/index.ts'
import type { GroupReport } from './group-decision.ts'
import type { Notification } from './notification.ts'

/** DateTime64(3) as JSONEachRow reads it: seconds since the epoch with a fraction. */
export function dateTimeText(ms: number): string {
  const whole = Math.floor(ms / 1000)
  return `${whole}.${String(ms - whole * 1000).padStart(3, '0')}`
}

let lastVersion = 0
/**
 * Row versions for the ReplacingMergeTree tables: wall-clock microseconds, strictly rising
 * within the process. They order writes (the latest row wins); they are not business time,
 * which in tests is simulated.
 */
export function nextRowVersion(): number {
  lastVersion = Math.max(Date.now() * 1000, lastVersion + 1)
  return lastVersion
}

export type LogStatus = 'intent' | 'delivered' | 'failed'

export interface LogEntry {
  readonly notification: Notification
  readonly status: LogStatus
  readonly attempts: number
  readonly deliveredAtMs?: number
  readonly providerRef?: string
  readonly error?: string
}

function logRow(entry: LogEntry): string {
  const n = entry.notification
  return JSON.stringify({
    IdempotencyKey: n.idempotencyKey,
    GroupKey: n.groupKey,
    Receiver: n.receiver,
    Channel: n.integration,
    Reason: n.reason,
    EpisodeIds: n.alerts.map((a) => a.episodeId),
    Status: entry.status,
    Attempts: Math.min(entry.attempts, 65_535),
    IntendedAt: dateTimeText(n.intendedAtMs),
    DeliveredAt: entry.deliveredAtMs === undefined ? null : dateTimeText(entry.deliveredAtMs),
    ProviderRef: entry.providerRef ?? '',
    Error: entry.error ?? '',
    Payload: JSON.stringify(n),
    Version: nextRowVersion(),
  })
}

export async function writeLogEntries(store: StoreConnection, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return
  await insertJsonEachRow(store, 'notification_log', `${entries.map(logRow).join('\n')}\n`, { tag: 'notify.log-write' })
}

export interface PendingIntent {
  readonly notification: Notification
  readonly attempts: number
  readonly error: string
}

/** Intents recorded since `sinceMs` that were neither delivered nor given up, oldest first. */
export async function loadPendingIntents(store: StoreConnection, sinceMs: number): Promise<PendingIntent[]> {
  const rows = await queryRows<{ Payload: string; Attempts: number; Error: string }>(
    store,
    `SELECT Payload, Attempts, Error FROM notification_log FINAL
     WHERE Status = 'intent' AND IntendedAt >= fromUnixTimestamp64Milli({since:Int64})
     ORDER BY IntendedAt, IdempotencyKey`,
    { since: String(sinceMs) },
    { tag: 'notify.log-pending' },
  )
  return rows.map((r) => ({ notification: JSON.parse(r.Payload) as Notification, attempts: Number(r.Attempts), error: r.Error }))
}

/** Per receiver and group, the latest notification recorded since `sinceMs`, whatever became of it. */
export async function loadLatestNotifications(store: StoreConnection, sinceMs: number): Promise<Notification[]> {
  const rows = await queryRows<{ Payload: string }>(
    store,
    `SELECT argMax(Payload, (IntendedAt, Version)) AS Payload FROM notification_log FINAL
     WHERE IntendedAt >= fromUnixTimestamp64Milli({since:Int64})
     GROUP BY Receiver, GroupKey`,
    { since: String(sinceMs) },
    { tag: 'notify.log-latest' },
  )
  return rows.map((r) => JSON.parse(r.Payload) as Notification)
}

/** ProviderRef of the delivered notifications among `keys`. */
export async function deliveredRefs(store: StoreConnection, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map()
  const rows = await queryRows<{ IdempotencyKey: string; ProviderRef: string }>(
    store,
    `SELECT IdempotencyKey, ProviderRef FROM notification_log FINAL WHERE IdempotencyKey IN {keys:Array(String)} AND Status = 'delivered'`,
    { keys },
    { tag: 'notify.log-delivered' },
  )
  return new Map(rows.map((r) => [r.IdempotencyKey, r.ProviderRef]))
}

export interface GroupRecord {
  readonly receiver: string
  readonly groupKey: string
  readonly groupEpisode: string
  readonly routeId: string
  readonly groupLabels: Readonly<Record<string, string>>
  readonly report: GroupReport
  /** integration -> the episode's thread there (Slack `channel:ts`). */
  readonly threadRefs: Readonly<Record<string, string>>
}

interface StoredReport {
  readonly routeId: string
  readonly groupLabels: Readonly<Record<string, string>>
  readonly sequence: number
  readonly title: string
  readonly alerts: GroupReport['alerts']
}

export async function writeGroupRecord(store: StoreConnection, record: GroupRecord): Promise<void> {
  const { report } = record
  const lastReported: StoredReport = {
    routeId: record.routeId,
    groupLabels: record.groupLabels,
    sequence: report.sequence,
    title: report.title,
    alerts: report.alerts,
  }
  const row = {
    GroupKey: record.groupKey,
    Receiver: record.receiver,
    GroupEpisode: record.groupEpisode,
    FirstNotifiedMs: report.firstNotifiedMs,
    LastNotifiedMs: report.lastNotifiedMs,
    LastReported: JSON.stringify(lastReported),
    ThreadRef: JSON.stringify(record.threadRefs),
    Version: nextRowVersion(),
  }
  await insertJsonEachRow(store, 'notification_groups', `${JSON.stringify(row)}\n`, { tag: 'notify.group-write' })
}

interface GroupRow {
  readonly GroupKey: string
  readonly Receiver: string
  readonly GroupEpisode: string
  readonly FirstNotifiedMs: string
  readonly LastNotifiedMs: string
  readonly LastReported: string
  readonly ThreadRef: string
}

/** Every group's latest record; those whose last report still had firing alerts are open episodes. */
export async function loadGroupRecords(store: StoreConnection): Promise<GroupRecord[]> {
  const rows = await queryRows<GroupRow>(
    store,
    'SELECT GroupKey, Receiver, GroupEpisode, FirstNotifiedMs, LastNotifiedMs, LastReported, ThreadRef FROM notification_groups FINAL',
    {},
    { tag: 'notify.groups-read' },
  )
  return rows.flatMap((row) => {
    const stored = JSON.parse(row.LastReported) as StoredReport
    const threadRefs = row.ThreadRef === '' ? {} : (JSON.parse(row.ThreadRef) as Record<string, string>)
    return [
      {
        receiver: row.Receiver,
        groupKey: row.GroupKey,
        groupEpisode: row.GroupEpisode,
        routeId: stored.routeId,
        groupLabels: stored.groupLabels,
        threadRefs,
        report: {
          sequence: stored.sequence,
          title: stored.title,
          alerts: stored.alerts,
          firstNotifiedMs: Number(row.FirstNotifiedMs),
          lastNotifiedMs: Number(row.LastNotifiedMs),
        },
      },
    ]
  })
}
