// After a restart: the open group episodes come back from notification_groups (so a group that
// already told its receiver it fires does not do so again), intents recorded but never
// delivered are queued again under their own keys (the channels' idempotency keeps them from
// arriving twice), and each episode's thread is found again so replies stay in it.
import type { Logger } from 'pino'
import type { StoreConnection } from '../store/index.ts'
import { groupId, hasFiring, type AggregationGroup } from './aggregation-groups.ts'
import type { NotificationChannel } from './channels/channel.ts'
import type { CompiledNotifyConfig } from './compile-config.ts'
import type { DeliveryQueue } from './delivery-queue.ts'
import { deliveredRefs, loadGroupRecords, loadLatestNotifications, loadPendingIntents, writeLogEntries, type GroupRecord } from './ledger.ts'
import { idempotencyKey, type Notification } from './notification.ts'
import type { Route } from './routing.ts'

export interface ReconcileResult {
  /** Open group episodes restored. */
  readonly groups: number
  /** Undelivered intents queued again. */
  readonly pending: number
  /** Intents given up because their receiver or integration is no longer configured. */
  readonly dropped: number
}

export interface ReconcileInput {
  readonly store: StoreConnection
  readonly config: CompiledNotifyConfig
  readonly channels: ReadonlyMap<string, readonly NotificationChannel[]>
  readonly groups: Map<string, AggregationGroup>
  readonly deliveries: DeliveryQueue
  readonly nowMs: number
  readonly logger: Logger
}

type Episode = Pick<Notification, 'receiver' | 'integration' | 'groupKey' | 'groupEpisode'>
const episodeId = (e: Omit<Episode, 'integration'>): string => `${groupId(e.receiver, e.groupKey)}\u0000${e.groupEpisode}`

/** The record an intent implies, when the crash came between writing the intent and its group record. */
function recordFromIntent(n: Notification, previous: GroupRecord | undefined): GroupRecord {
  const same = previous?.groupEpisode === n.groupEpisode
  return {
    receiver: n.receiver,
    groupKey: n.groupKey,
    groupEpisode: n.groupEpisode,
    routeId: n.routeId,
    groupLabels: n.groupLabels,
    threadRefs: same ? previous.threadRefs : {},
    report: {
      sequence: n.sequence,
      firstNotifiedMs: same ? previous.report.firstNotifiedMs : n.intendedAtMs,
      lastNotifiedMs: n.intendedAtMs,
      title: n.title,
      alerts: n.alerts,
    },
  }
}

export async function reconcileState(input: ReconcileInput): Promise<ReconcileResult> {
  const { store, config, channels, groups, deliveries, nowMs, logger } = input
  const all = await loadGroupRecords(store)
  const records = new Map(all.map((r) => [groupId(r.receiver, r.groupKey), r]))
  const since = nowMs - config.retry.giveUpAfterMs
  const pending = await loadPendingIntents(store, since)
  // A notification newer than its group's record: the crash came between the two writes.
  for (const n of await loadLatestNotifications(store, since)) {
    const id = groupId(n.receiver, n.groupKey)
    const record = records.get(id)
    const newer =
      record === undefined || (record.groupEpisode === n.groupEpisode ? n.sequence > record.report.sequence : n.intendedAtMs > record.report.lastNotifiedMs)
    if (newer) records.set(id, recordFromIntent(n, record))
  }

  // Each episode's thread per integration: from its record, else from its delivered first message.
  const threads = new Map<string, Record<string, string>>()
  for (const r of records.values()) threads.set(episodeId(r), { ...r.threadRefs })
  const episodes = new Map<string, Episode>()
  for (const r of records.values()) {
    for (const c of channels.get(r.receiver) ?? []) episodes.set(`${episodeId(r)}\u0000${c.integration}`, { ...r, integration: c.integration })
  }
  for (const { notification: n } of pending) episodes.set(`${episodeId(n)}\u0000${n.integration}`, n)
  const firstKeys = new Map<string, Episode>()
  for (const e of episodes.values()) {
    if (threads.get(episodeId(e))?.[e.integration] === undefined) firstKeys.set(idempotencyKey({ ...e, reason: 'first', sequence: 0 }), e)
  }
  for (const [key, ref] of await deliveredRefs(store, [...firstKeys.keys()])) {
    const e = firstKeys.get(key)
    if (e === undefined || ref === '') continue
    const refs = threads.get(episodeId(e)) ?? {}
    refs[e.integration] = ref
    threads.set(episodeId(e), refs)
  }
  for (const e of episodes.values()) {
    const ref = threads.get(episodeId(e))?.[e.integration]
    if (ref !== undefined) deliveries.setThreadRef(e, ref)
  }

  let restored = 0
  for (const [id, r] of records) {
    if (!hasFiring(r.report.alerts)) continue
    const route = routeFor(config, r)
    if (route === undefined) {
      logger.warn({ receiver: r.receiver, groupKey: r.groupKey }, 'open notification group has no receiver any more; dropped')
      continue
    }
    groups.set(id, {
      receiver: r.receiver,
      groupKey: r.groupKey,
      route,
      labels: r.groupLabels,
      episode: r.groupEpisode,
      alerts: new Map(r.report.alerts.filter((a) => a.state === 'firing').map((a) => [a.fingerprint, a])),
      nextFlushMs: r.report.lastNotifiedMs + route.groupIntervalMs,
      report: r.report,
      threadRefs: threads.get(episodeId(r)) ?? {},
      recordedKeys: new Set(),
      unsaved: false,
    })
    restored++
  }

  let dropped = 0
  for (const p of pending) {
    const n = p.notification
    const channel = channels.get(n.receiver)?.find((c) => c.integration === n.integration)
    if (channel === undefined) {
      await writeLogEntries(store, [{ notification: n, status: 'failed', attempts: p.attempts, error: 'receiver or integration no longer configured' }])
      dropped++
      continue
    }
    deliveries.enqueue(n, channel, { attempts: p.attempts, maybeSent: true })
    const group = groups.get(groupId(n.receiver, n.groupKey))
    if (group?.episode === n.groupEpisode) group.recordedKeys.add(n.idempotencyKey)
  }
  return { groups: restored, pending: pending.length - dropped, dropped }
}

/** The group's route; if the config lost it, the root's timers with the group's receiver, so the episode can still resolve. */
function routeFor(config: CompiledNotifyConfig, record: GroupRecord): Route | undefined {
  const route = config.routesById.get(record.routeId)
  if (route?.receiver === record.receiver) return route
  if (!config.receivers.has(record.receiver)) return undefined
  return { ...config.root, id: record.routeId, receiver: record.receiver, routes: [] }
}
