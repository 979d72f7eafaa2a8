// The notifier: the rules engine hands it every current alert after each evaluation cycle
// (update) and a timer drives it (tick). Per due group the pipeline is Alertmanager's:
// inhibit -> time windows -> silence -> dedup (the send decision) -> record the intent ->
// send with retry -> record the outcome. Time is injected, so tests run on simulated time.
import { pino, type Logger } from 'pino'
import type { StoreConnection } from '../store/index.ts'
import { applyAlerts, dueGroups, groupId, routingLabels, type AggregationGroup } from './aggregation-groups.ts'
import type { Alert } from './alert.ts'
import { createAlertmanagerForwarder, type AlertmanagerForwarder } from './channels/alertmanager.ts'
import type { ChannelRegistry, NotificationChannel } from './channels/channel.ts'
import { defaultChannels } from './channels/registry.ts'
import { compileNotifyConfig, type CompiledNotifyConfig } from './compile-config.ts'
import type { NotifyConfig } from './config.ts'
import { createDeliveryQueue } from './delivery-queue.ts'
import { decideSend, type NotifyReason } from './group-decision.ts'
import { inhibitedFingerprints } from './inhibition.ts'
import { writeGroupRecord, writeLogEntries } from './ledger.ts'
import { episodeTitle, idempotencyKey, orderAlerts, type Notification } from './notification.ts'
import { reconcileState, type ReconcileResult } from './reconcile.ts'
import { activeSilences, silencedBy, type ActiveSilence } from './silences.ts'
import { intervalActive } from './time-intervals.ts'

export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export interface NotifierOptions {
  readonly store: StoreConnection
  readonly config: NotifyConfig
  /** Defaults to the system clock. */
  readonly clock?: Clock
  /** Channel kinds to build receivers from; the built-in Slack, email and webhook by default. */
  readonly channels?: Partial<ChannelRegistry>
  readonly logger?: Logger
}

export interface Notifier {
  /** Restores open groups and re-queues undelivered intents; runs by itself before the first update or tick. */
  reconcile(): Promise<ReconcileResult>
  /** Every current alert (including the ones resolved this cycle), after each evaluation. */
  update(alerts: readonly Alert[], nowMs?: number): Promise<void>
  /** Flushes due groups and sends due deliveries. */
  tick(nowMs?: number): Promise<void>
  /** When something is next due (undefined: nothing waits). */
  nextWakeMs(): number | undefined
  /** Ticks on a wall-clock timer that does not keep the process alive. */
  start(intervalMs?: number): void
  close(): Promise<void>
}

/** While the store cannot take an intent, a due group tries again this soon. */
const STORE_RETRY_MS = 10_000

export function createNotifier(options: NotifierOptions): Notifier {
  const config: CompiledNotifyConfig = compileNotifyConfig(options.config)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? pino({ level: 'silent' })
  const registry: ChannelRegistry = { ...defaultChannels, ...options.channels }
  const { store } = options

  const channels = new Map<string, NotificationChannel[]>()
  const forwarders = new Map<string, AlertmanagerForwarder[]>()
  for (const receiver of config.receivers.values()) {
    const place = (index: number): { receiver: string; index: number } => ({ receiver: receiver.name, index })
    channels.set(receiver.name, [
      ...(receiver.slack_configs ?? []).map((c, i) => registry.slack(c, place(i))),
      ...(receiver.email_configs ?? []).map((c, i) => registry.email(c, place(i))),
      ...(receiver.webhook_configs ?? []).map((c, i) => registry.webhook(c, place(i))),
    ])
    forwarders.set(
      receiver.name,
      (receiver.alertmanager_configs ?? []).map((c, i) => createAlertmanagerForwarder(c, place(i), logger)),
    )
  }

  const groups = new Map<string, AggregationGroup>()
  let currentAlerts: readonly Alert[] = []
  let reconciled: Promise<ReconcileResult> | undefined
  let chain: Promise<unknown> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const deliveries = createDeliveryQueue({
    store,
    retry: config.retry,
    logger,
    async onThreadRoot(n, threadRef) {
      const group = groups.get(groupId(n.receiver, n.groupKey))
      if (group?.episode !== n.groupEpisode || group.report === undefined) return
      group.threadRefs[n.integration] = threadRef
      await persistGroup(group)
    },
  })

  /** One operation at a time: update, tick and reconcile never interleave. */
  function serial<T>(run: () => Promise<T>): Promise<T> {
    const next = chain.then(run)
    chain = next.catch(() => undefined)
    return next
  }

  /**
   * Writes the group's record; on failure it is marked unsaved and written again at its next
   * flush (the intents are on disk already, and a restart rebuilds the record from them).
   */
  async function persistGroup(g: AggregationGroup): Promise<void> {
    try {
      await saveGroup(g)
      g.unsaved = false
    } catch (err) {
      g.unsaved = true
      logger.error({ err, receiver: g.receiver, groupKey: g.groupKey }, 'notification group write failed; will write it again')
    }
  }

  async function saveGroup(g: AggregationGroup): Promise<void> {
    if (g.report === undefined) return
    await writeGroupRecord(store, {
      receiver: g.receiver,
      groupKey: g.groupKey,
      groupEpisode: g.episode,
      routeId: g.route.id,
      groupLabels: g.labels,
      report: g.report,
      threadRefs: g.threadRefs,
    })
  }

  function ensureReconciled(): Promise<ReconcileResult> {
    reconciled ??= reconcileState({ store, config, channels, groups, deliveries, nowMs: clock.now(), logger }).then((result) => {
      logger.info(result, 'notifier reconciled')
      return result
    })
    return reconciled
  }

  function mutedByTime(g: AggregationGroup, nowMs: number): boolean {
    const active = (name: string): boolean => intervalActive(config.timeIntervals.get(name) ?? [], nowMs)
    if (g.route.muteTimeIntervals.some(active)) return true
    return g.route.activeTimeIntervals.length > 0 && !g.route.activeTimeIntervals.some(active)
  }

  /** Records the intents (one per integration that takes this reason) and the group's new report, then queues them. */
  async function record(g: AggregationGroup, reason: NotifyReason, changed: readonly string[], alerts: readonly Alert[], nowMs: number): Promise<void> {
    const sequence = g.report === undefined ? 0 : g.report.sequence + 1
    const title = g.report?.title ?? episodeTitle(alerts, g.labels)
    const ordered = orderAlerts(alerts)
    const status = ordered.some((a) => a.state === 'firing') ? 'firing' : 'resolved'
    const queued: Array<{ n: Notification; channel: NotificationChannel }> = []
    for (const channel of channels.get(g.receiver) ?? []) {
      if (!channel.accepts(reason)) continue
      const shown = channel.sendResolved || reason === 'all_resolved' ? ordered : ordered.filter((a) => a.state === 'firing')
      if (shown.length === 0) continue
      const base = { receiver: g.receiver, integration: channel.integration, groupKey: g.groupKey, groupEpisode: g.episode, reason, sequence }
      const key = idempotencyKey(base)
      if (g.recordedKeys.has(key)) continue
      const n: Notification = {
        ...base,
        idempotencyKey: key,
        routeId: g.route.id,
        groupLabels: g.labels,
        status,
        title,
        intendedAtMs: nowMs,
        alerts: shown,
        changed,
      }
      queued.push({ n, channel })
    }
    // The intent is on disk before anything is sent: a crash from here on re-sends, never forgets.
    await writeLogEntries(
      store,
      queued.map(({ n }) => ({ notification: n, status: 'intent', attempts: 0 })),
    )
    g.report = { sequence, firstNotifiedMs: g.report?.firstNotifiedMs ?? nowMs, lastNotifiedMs: nowMs, title, alerts: ordered }
    for (const { n, channel } of queued) {
      g.recordedKeys.add(n.idempotencyKey)
      deliveries.enqueue(n, channel)
    }
    await persistGroup(g)
    logger.info({ receiver: g.receiver, groupKey: g.groupKey, reason, sequence, integrations: queued.length }, 'notification recorded')
  }

  async function flush(g: AggregationGroup, nowMs: number, silences: readonly ActiveSilence[], inhibited: ReadonlySet<string>): Promise<void> {
    if (g.unsaved) await persistGroup(g)
    if (mutedByTime(g, nowMs)) {
      g.nextFlushMs = nowMs + g.route.groupIntervalMs
      return
    }
    const candidates: Alert[] = []
    let mutedFiring = 0
    for (const alert of g.alerts.values()) {
      const muted = alert.state === 'firing' && (inhibited.has(alert.fingerprint) || silencedBy(silences, routingLabels(alert)) !== undefined)
      if (muted) mutedFiring++
      else candidates.push(alert)
    }
    const decision = decideSend(g.report, candidates, mutedFiring, nowMs, g.route.repeatIntervalMs)
    // A reminder while an earlier message of the group still waits for its channel adds nothing.
    const heldBack = decision.send && decision.reason === 'repeat' && deliveries.hasPending(g.receiver, g.groupKey, g.episode)
    if (decision.send && !heldBack) {
      try {
        await record(g, decision.reason, decision.changed, candidates, nowMs)
      } catch (err) {
        logger.error({ err, receiver: g.receiver, groupKey: g.groupKey }, 'cannot record the notification intent; will try again')
        g.nextFlushMs = nowMs + Math.min(g.route.groupIntervalMs, STORE_RETRY_MS)
        return
      }
    }
    for (const alert of candidates) if (alert.state === 'resolved') g.alerts.delete(alert.fingerprint)
    if (g.alerts.size === 0) {
      groups.delete(groupId(g.receiver, g.groupKey))
      deliveries.closeEpisode(g.receiver, g.groupKey, g.episode)
    } else g.nextFlushMs = nowMs + g.route.groupIntervalMs
  }

  async function runDue(nowMs: number): Promise<void> {
    const due = dueGroups(groups, nowMs)
    if (due.length > 0) {
      let silences: ActiveSilence[] | undefined
      try {
        silences = await activeSilences(store, nowMs)
      } catch (err) {
        // Sending past a silence we cannot read would be wrong; the flush waits for the store.
        logger.error({ err }, 'cannot read silences; due notification groups wait')
        for (const g of due) g.nextFlushMs = nowMs + STORE_RETRY_MS
      }
      if (silences !== undefined) {
        const inhibited = inhibitedFingerprints(
          config.inhibitRules,
          currentAlerts.map((a) => ({ fingerprint: a.fingerprint, labels: routingLabels(a), firing: a.state === 'firing' })),
        )
        for (const g of due) await flush(g, nowMs, silences, inhibited)
      }
    }
    await deliveries.runDue(nowMs)
    await Promise.all([...forwarders.values()].flat().map((f) => f.run(nowMs)))
  }

  const tick = (nowMs = clock.now()): Promise<void> =>
    serial(async () => {
      await ensureReconciled()
      await runDue(nowMs)
    })

  return {
    reconcile: () => serial(ensureReconciled),
    update(alerts, nowMs = clock.now()) {
      return serial(async () => {
        await ensureReconciled()
        currentAlerts = alerts
        const routed = applyAlerts(groups, config.root, alerts, nowMs, config.resolveWaitMs, (receiver) => (channels.get(receiver)?.length ?? 0) > 0)
        for (const [receiver, list] of forwarders) {
          const mine = routed.get(receiver) ?? []
          for (const f of list) {
            for (const alert of mine) f.track(alert)
            f.resolveAbsent(new Set(mine.map((a) => a.fingerprint)), nowMs)
          }
        }
        await runDue(nowMs)
      })
    },
    tick,
    nextWakeMs() {
      const times = [
        ...[...groups.values()].map((g) => g.nextFlushMs),
        deliveries.nextDueMs(),
        ...[...forwarders.values()].flat().map((f) => f.nextDueMs()),
      ].filter((t): t is number => t !== undefined)
      return times.length === 0 ? undefined : Math.min(...times)
    },
    start(intervalMs = 250) {
      if (timer !== undefined || closed) return
      let busy = false
      timer = setInterval(() => {
        if (busy) return
        busy = true
        tick()
          .catch((err: unknown) => logger.error({ err }, 'notifier tick failed'))
          .finally(() => (busy = false))
      }, intervalMs)
      timer.unref()
    },
    async close() {
      closed = true
      if (timer !== undefined) clearInterval(timer)
      await chain
      await Promise.all([...channels.values()].flat().map((c) => c.close()))
    },
  }
}
