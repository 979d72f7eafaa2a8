// Sends recorded intents. Each group episode on each integration is a lane delivered strictly
// in order (a Slack reply needs its thread's root first); lanes that share a pacing key (one
// Slack channel) are spaced by its gap. A retryable failure waits for the server's Retry-After
// or an exponential backoff with jitter, up to give_up_after; the outcome is recorded each time.
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { StoreConnection } from '../store/index.ts'
import type { DeliveryResult, NotificationChannel } from './channels/channel.ts'
import { errorText } from './channels/retry-after.ts'
import { writeLogEntries, type LogEntry } from './ledger.ts'
import type { Notification } from './notification.ts'

export interface RetryPolicy {
  readonly initialMs: number
  readonly maxMs: number
  readonly giveUpAfterMs: number
}

interface Delivery {
  readonly notification: Notification
  readonly channel: NotificationChannel
  attempts: number
  nextAttemptMs: number
  maybeSent: boolean
}

type EpisodeRef = Pick<Notification, 'receiver' | 'integration' | 'groupKey' | 'groupEpisode'>

interface Lane {
  readonly episode: EpisodeRef
  readonly deliveries: Delivery[]
  threadRef: string | undefined
  /** The episode ended: the lane goes once its last delivery is done. */
  closed: boolean
}

export interface DeliveryQueueOptions {
  readonly store: StoreConnection
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** A delivery started the episode's thread: the notifier keeps it with the group. */
  readonly onThreadRoot: (notification: Notification, threadRef: string) => Promise<void>
}

export interface DeliveryQueue {
  enqueue(notification: Notification, channel: NotificationChannel, state?: { attempts: number; maybeSent: boolean }): void
  setThreadRef(notification: EpisodeRef, threadRef: string): void
  hasPending(receiver: string, groupKey: string, groupEpisode: string): boolean
  /** The group episode ended: its lanes are dropped once delivered. */
  closeEpisode(receiver: string, groupKey: string, groupEpisode: string): void
  /** Delivers what is due at `nowMs`; resolves when every attempt of this round has finished. */
  runDue(nowMs: number): Promise<void>
  nextDueMs(): number | undefined
  readonly size: number
}

const laneKey = (n: EpisodeRef): string => [n.receiver, n.integration, n.groupKey, n.groupEpisode].join('\u0000')

/** initial * 2^(attempt-1), capped, times a jitter in [0.8, 1.2) that is fixed per key and attempt. */
export function backoffMs(policy: RetryPolicy, attempt: number, key: string): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1))
  const jitter = 0.8 + (createHash('sha256').update(`${key}:${attempt}`).digest().readUInt16BE(0) / 65_536) * 0.4
  return Math.round(base * jitter)
}

function newLane(n: EpisodeRef, threadRef: string | undefined): Lane {
  const episode = { receiver: n.receiver, integration: n.integration, groupKey: n.groupKey, groupEpisode: n.groupEpisode }
  return { episode, deliveries: [], threadRef, closed: false }
}

export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const lanes = new Map<string, Lane>()
  const pacedUntil = new Map<string, number>()
  const { logger, retry } = options

  async function record(entry: LogEntry): Promise<void> {
    try {
      await writeLogEntries(options.store, [entry])
    } catch (err) {
      // The message went out (or was given up) either way; a restart re-checks an unrecorded
      // delivery through the channel's idempotency rather than sending blindly.
      logger.error({ err, key: entry.notification.idempotencyKey, status: entry.status }, 'notification log write failed')
    }
  }

  async function attempt(lane: Lane, delivery: Delivery, nowMs: number): Promise<DeliveryResult> {
    const n = delivery.notification
    let result: DeliveryResult
    try {
      result = await delivery.channel.deliver(n, { nowMs, threadRef: lane.threadRef, maybeSent: delivery.maybeSent })
    } catch (err) {
      result = { kind: 'retryable', error: errorText(err) }
    }
    delivery.attempts++
    const where = { key: n.idempotencyKey, receiver: n.receiver, integration: n.integration, reason: n.reason, attempts: delivery.attempts }
    if (result.kind === 'success') {
      lane.deliveries.shift()
      if (result.threadRef !== undefined && result.threadRef !== lane.threadRef) {
        lane.threadRef = result.threadRef
        await options.onThreadRoot(n, result.threadRef)
      }
      await record({ notification: n, status: 'delivered', attempts: delivery.attempts, deliveredAtMs: nowMs, providerRef: result.providerRef })
      logger.info(where, 'notification delivered')
    } else if (result.kind === 'failure' || nowMs - n.intendedAtMs >= retry.giveUpAfterMs) {
      lane.deliveries.shift()
      await record({ notification: n, status: 'failed', attempts: delivery.attempts, error: result.error })
      logger.error({ ...where, error: result.error }, 'notification failed')
    } else {
      const wait = result.retryAfterMs ?? backoffMs(retry, delivery.attempts, n.idempotencyKey)
      delivery.nextAttemptMs = nowMs + wait
      delivery.maybeSent = true
      await record({ notification: n, status: 'intent', attempts: delivery.attempts, error: result.error })
      logger.warn({ ...where, error: result.error, retryInMs: wait }, 'notification delivery failed; will retry')
    }
    return result
  }

  async function runPaced(pacingKey: string, paced: readonly { lane: Lane; minGapMs: number }[], nowMs: number): Promise<void> {
    for (const { lane, minGapMs } of paced) {
      while (true) {
        const head = lane.deliveries[0]
        if (head === undefined || head.nextAttemptMs > nowMs || (pacedUntil.get(pacingKey) ?? -Infinity) > nowMs) break
        const result = await attempt(lane, head, nowMs)
        const rateLimited = result.kind === 'retryable' && result.retryAfterMs !== undefined ? result.retryAfterMs : 0
        if (minGapMs > 0 || rateLimited > 0) pacedUntil.set(pacingKey, nowMs + Math.max(minGapMs, rateLimited))
        if (result.kind === 'retryable') break
      }
    }
  }

  return {
    enqueue(notification, channel, state = { attempts: 0, maybeSent: false }) {
      const key = laneKey(notification)
      let lane = lanes.get(key)
      if (lane === undefined) lanes.set(key, (lane = newLane(notification, undefined)))
      if (lane.deliveries.some((d) => d.notification.idempotencyKey === notification.idempotencyKey)) return
      lane.deliveries.push({ notification, channel, attempts: state.attempts, nextAttemptMs: notification.intendedAtMs, maybeSent: state.maybeSent })
    },
    setThreadRef(notification, threadRef) {
      const key = laneKey(notification)
      const lane = lanes.get(key)
      if (lane === undefined) lanes.set(key, newLane(notification, threadRef))
      else lane.threadRef = threadRef
    },
    closeEpisode(receiver, groupKey, groupEpisode) {
      for (const [key, lane] of lanes) {
        const e = lane.episode
        if (e.receiver !== receiver || e.groupKey !== groupKey || e.groupEpisode !== groupEpisode) continue
        lane.closed = true
        if (lane.deliveries.length === 0) lanes.delete(key)
      }
    },
    hasPending(receiver, groupKey, groupEpisode) {
      for (const { episode: e, deliveries } of lanes.values()) {
        if (deliveries.length > 0 && e.receiver === receiver && e.groupKey === groupKey && e.groupEpisode === groupEpisode) return true
      }
      return false
    },
    async runDue(nowMs) {
      const byPacing = new Map<string, { lane: Lane; minGapMs: number }[]>()
      for (const [key, lane] of lanes) {
        const head = lane.deliveries[0]
        if (head === undefined || head.nextAttemptMs > nowMs) continue
        const pacing = head.channel.pacing
        const pacingKey = pacing?.key ?? `lane:${key}`
        const list = byPacing.get(pacingKey) ?? []
        list.push({ lane, minGapMs: pacing?.minGapMs ?? 0 })
        byPacing.set(pacingKey, list)
      }
      await Promise.all([...byPacing].map(([pacingKey, paced]) => runPaced(pacingKey, paced, nowMs)))
      for (const [key, lane] of lanes) if (lane.closed && lane.deliveries.length === 0) lanes.delete(key)
    },
    nextDueMs() {
      let next: number | undefined
      for (const lane of lanes.values()) {
        const head = lane.deliveries[0]
        if (head === undefined) continue
        const pacing = head.channel.pacing
        const at = Math.max(head.nextAttemptMs, pacing === undefined ? -Infinity : (pacedUntil.get(pacing.key) ?? -Infinity))
        if (next === undefined || at < next) next = at
      }
      return next
    },
    get size() {
      let n = 0
      for (const lane of lanes.values()) n += lane.deliveries.length
      return n
    },
  }
}
