// A generic webhook: the notification as a JSON body (shaped like Alertmanager's webhook
// payload, with throughline's impact and findings), signed with HMAC-SHA256 under a shared
// secret. The signature covers `<timestamp>.<body>`, so a captured request cannot be replayed
// later under a fresh timestamp; receivers check both (docs/notifications.md). The
// Idempotency-Key header repeats on every re-send of the same notification.
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { durationSetting, type WebhookConfig } from '../config.ts'
import { orderAlerts, type Notification } from '../notification.ts'
import type { ChannelPlace, NotificationChannel } from './channel.ts'
import { errorText, httpResult } from './retry-after.ts'

export const SIGNATURE_HEADER = 'x-throughline-signature'
export const TIMESTAMP_HEADER = 'x-throughline-timestamp'
export const IDEMPOTENCY_HEADER = 'idempotency-key'

const DEFAULT_TIMEOUT_MS = 10_000

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export function webhookBody(n: Notification, maxAlerts: number): string {
  const alerts = orderAlerts(n.alerts)
  const sent = maxAlerts > 0 ? alerts.slice(0, maxAlerts) : alerts
  const common = Object.fromEntries(Object.entries(alerts[0]?.labels ?? {}).filter(([name, value]) => alerts.every((a) => a.labels[name] === value)))
  return JSON.stringify({
    version: '1',
    idempotencyKey: n.idempotencyKey,
    receiver: n.receiver,
    integration: n.integration,
    status: n.status,
    reason: n.reason,
    sequence: n.sequence,
    title: n.title,
    groupKey: n.groupKey,
    groupEpisode: n.groupEpisode,
    groupLabels: n.groupLabels,
    commonLabels: common,
    changed: n.changed,
    truncatedAlerts: alerts.length - sent.length,
    alerts: sent,
  })
}

export function createWebhookChannel(config: WebhookConfig, place: ChannelPlace): NotificationChannel {
  const secret = config.secret ?? (config.secret_file === undefined ? undefined : readFileSync(config.secret_file, 'utf8').trim())
  const timeoutMs = durationSetting(config.timeout, DEFAULT_TIMEOUT_MS, 'timeout', [])
  const sendResolved = config.send_resolved ?? true
  return {
    integration: `webhook#${place.index}`,
    sendResolved,
    pacing: undefined,
    accepts: (reason) => sendResolved || reason !== 'some_resolved',
    async deliver(n, context) {
      const body = webhookBody(n, config.max_alerts ?? 0)
      const timestamp = String(Math.floor(context.nowMs / 1000))
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'throughline-notifier',
        [TIMESTAMP_HEADER]: timestamp,
        [IDEMPOTENCY_HEADER]: n.idempotencyKey,
      }
      if (secret !== undefined) headers[SIGNATURE_HEADER] = webhookSignature(secret, timestamp, body)
      try {
        const response = await fetch(config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
        await response.arrayBuffer() // frees the connection
        return httpResult(response.status, response.headers.get('retry-after'), context.nowMs, 'webhook')
      } catch (err) {
        return { kind: 'retryable', error: `webhook: ${errorText(err)}` }
      }
    },
    async close() {},
  }
}
