// Slack through @slack/web-api: one message per group episode (chat.postMessage), rewritten in
// place (chat.update) as the group changes, with thread replies for changes, reminders and the
// resolve. Every message carries the idempotency key as message metadata; before sending again
// something that may have gone out, the channel's history (root) or the thread (replies) is
// searched for that key. The client's own retries and rate-limit sleeps are off: the delivery
// queue retries on the injected clock and paces one message per second per channel.
import { readFileSync } from 'node:fs'
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, LogLevel, type Logger } from '@slack/web-api'
import { durationSetting, type SlackConfig } from '../config.ts'
import type { Notification } from '../notification.ts'
import type { ChannelPlace, DeliveryResult, NotificationChannel } from './channel.ts'
import { errorText, retryAfterMs } from './retry-after.ts'
import { fallbackText, replyBlocks, replyText, rootBlocks } from './slack-blocks.ts'

export const SLACK_METADATA_EVENT = 'throughline_notification'
const DEFAULT_API_URL = 'https://slack.com/api/'
const DEFAULT_TIMEOUT_MS = 10_000
/** How far before the intent the channel history is searched (clock skew between us and Slack). */
const HISTORY_SLACK_MS = 5 * 60_000
/** Platform errors (HTTP 200, ok: false) that say "later", not "never". */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
}

/** Slack's errors as delivery results. */
export function slackResult(err: unknown, nowMs: number): DeliveryResult {
  const error = `slack: ${errorText(err)}`
  if (err instanceof WebAPIRateLimitedError) return { kind: 'retryable', error, retryAfterMs: err.retryAfter * 1000 }
  if (err instanceof WebAPIHTTPError) {
    if (err.statusCode !== 429 && err.statusCode < 500) return { kind: 'failure', error }
    const after = retryAfterMs(err.headers['retry-after'], nowMs)
    return after === undefined ? { kind: 'retryable', error } : { kind: 'retryable', error, retryAfterMs: after }
  }
  if (err instanceof WebAPIPlatformError) return TRANSIENT_PLATFORM_ERRORS.has(err.data.error) ? { kind: 'retryable', error } : { kind: 'failure', error }
  if (err instanceof WebAPIRequestError) return { kind: 'retryable', error }
  return { kind: 'retryable', error }
}

interface SlackMessage {
  readonly ts?: string
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: Readonly<Record<string, unknown>> }
}

const carriesKey = (m: SlackMessage, key: string): boolean =>
  m.metadata?.event_type === SLACK_METADATA_EVENT && m.metadata.event_payload?.idempotency_key === key

function splitRef(ref: string): { channel: string; ts: string } {
  const at = ref.lastIndexOf(':')
  return { channel: ref.slice(0, at), ts: ref.slice(at + 1) }
}

export function createSlackChannel(config: SlackConfig, place: ChannelPlace): NotificationChannel {
  const token = config.token ?? (config.token_file === undefined ? undefined : readFileSync(config.token_file, 'utf8').trim())
  const apiUrl = config.api_url ?? DEFAULT_API_URL
  const client = new WebClient(token, {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: durationSetting(config.timeout, DEFAULT_TIMEOUT_MS, 'timeout', []),
    logger: silent,
  })
  const sendResolved = config.send_resolved ?? true

  /** The ref of a message carrying the key, if one already went out. */
  async function findSent(n: Notification, threadRef: string | undefined): Promise<string | undefined> {
    if (threadRef === undefined) {
      const oldest = String(Math.max(0, n.intendedAtMs - HISTORY_SLACK_MS) / 1000)
      const history = await client.conversations.history({ channel: config.channel, oldest, include_all_metadata: true, limit: 200 })
      const found = (history.messages ?? []).find((m: SlackMessage) => carriesKey(m, n.idempotencyKey))
      return found?.ts === undefined ? undefined : `${config.channel}:${found.ts}`
    }
    const root = splitRef(threadRef)
    const replies = await client.conversations.replies({ channel: root.channel, ts: root.ts, include_all_metadata: true, limit: 200 })
    const found = (replies.messages ?? []).find((m: SlackMessage) => carriesKey(m, n.idempotencyKey))
    return found?.ts === undefined ? undefined : `${root.channel}:${found.ts}`
  }

  async function send(n: Notification, threadRef: string | undefined): Promise<DeliveryResult> {
    const metadata = { event_type: SLACK_METADATA_EVENT, event_payload: { idempotency_key: n.idempotencyKey, reason: n.reason, sequence: n.sequence } }
    if (threadRef === undefined) {
      // No thread yet (the first message, or the first that got through): this one is the root.
      const posted = await client.chat.postMessage({ channel: config.channel, text: fallbackText(n), blocks: rootBlocks(n), metadata, unfurl_links: false })
      const ref = `${posted.channel ?? config.channel}:${posted.ts ?? ''}`
      return { kind: 'success', providerRef: ref, threadRef: ref }
    }
    const root = splitRef(threadRef)
    await client.chat.update({ channel: root.channel, ts: root.ts, text: fallbackText(n), blocks: rootBlocks(n) })
    if (n.reason === 'update') return { kind: 'success', providerRef: threadRef }
    const reply = await client.chat.postMessage({
      channel: root.channel,
      thread_ts: root.ts,
      text: replyText(n),
      blocks: replyBlocks(n),
      metadata,
      reply_broadcast: n.reason === 'escalation',
    })
    return { kind: 'success', providerRef: `${root.channel}:${reply.ts ?? ''}` }
  }

  return {
    integration: `slack#${place.index}`,
    sendResolved,
    pacing: { key: `slack:${apiUrl}:${config.channel}`, minGapMs: 1000 },
    accepts: (reason) => sendResolved || reason !== 'some_resolved',
    async deliver(n, context) {
      if (context.maybeSent && n.reason !== 'update') {
        try {
          const found = await findSent(n, context.threadRef)
          if (found !== undefined)
            return context.threadRef === undefined ? { kind: 'success', providerRef: found, threadRef: found } : { kind: 'success', providerRef: found }
        } catch (err) {
          const result = slackResult(err, context.nowMs)
          // Cannot look (no history scope, a channel name instead of an ID): send, at least once.
          if (result.kind === 'retryable') return result
        }
      }
      try {
        return await send(n, context.threadRef)
      } catch (err) {
        return slackResult(err, context.nowMs)
      }
    },
    async close() {},
  }
}
