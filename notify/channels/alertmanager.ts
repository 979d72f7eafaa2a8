// Forwarding to a Prometheus Alertmanager (POST /api/v2/alerts), the way Prometheus does it:
// every alert routed here is posted when it appears or changes and again every resend
// interval, with endsAt = now + 4 x the resend interval while it fires (so Alertmanager
// resolves it by itself if we stop), and after resolution with endsAt = the resolve time, for
// resolved_resend_for. Alertmanager groups, inhibits, silences and notifies on its side, so
// alerts go here unfiltered and without our grouping; a post is idempotent by its labels.
import type { Logger } from 'pino'
import type { Alert } from '../alert.ts'
import { durationSetting, type AlertmanagerConfig } from '../config.ts'
import type { ChannelPlace } from './channel.ts'
import { errorText, httpResult } from './retry-after.ts'

const DEFAULTS = { resendIntervalMs: 60_000, resolvedResendForMs: 15 * 60_000, timeoutMs: 10_000 }
const RETRY_MS = { initial: 1_000, max: 60_000 }

interface Tracked {
  alert: Alert
  /** The alert changed (new, resolved, other labels or annotations) since it was last posted. */
  changed: boolean
  lastPostedMs: number
}

export interface AlertmanagerForwarder {
  readonly receiver: string
  /** The alert as routed to this receiver now. */
  track(alert: Alert): void
  /** Firing alerts not seen in the current cycle are gone: post them as resolved now. */
  resolveAbsent(seen: ReadonlySet<string>, nowMs: number): void
  run(nowMs: number): Promise<void>
  nextDueMs(): number | undefined
}

/** Labels as Alertmanager takes them: alertname and severity added, empty values dropped, names made legal. */
export function alertmanagerLabels(alert: Alert): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries({ alertname: alert.ruleId, severity: alert.severity, ...alert.labels })) {
    if (value !== '') out[name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')] = value
  }
  return out
}

export function alertmanagerAlert(alert: Alert, nowMs: number, resendIntervalMs: number): Record<string, unknown> {
  const annotations: Record<string, string> = {
    summary: alert.annotations.summary,
    description: alert.annotations.description,
    runbook_url: alert.runbookUrl,
    throughline_api_url: alert.apiUrl,
    instances_affected: String(alert.impact.instances),
  }
  if (alert.dashboardUrl !== undefined) annotations.dashboard_url = alert.dashboardUrl
  if (alert.value !== undefined) annotations.value = String(alert.value)
  if (alert.acknowledged) annotations.acknowledged = 'true'
  const endsAt = alert.state === 'resolved' ? (alert.resolvedAt ?? new Date(nowMs).toISOString()) : new Date(nowMs + 4 * resendIntervalMs).toISOString()
  return {
    labels: alertmanagerLabels(alert),
    annotations: Object.fromEntries(Object.entries(annotations).filter(([, v]) => v !== '')),
    startsAt: alert.startsAt,
    endsAt,
    generatorURL: alert.dashboardUrl ?? alert.apiUrl,
  }
}

export function createAlertmanagerForwarder(config: AlertmanagerConfig, place: ChannelPlace, logger: Logger): AlertmanagerForwarder {
  const resendIntervalMs = durationSetting(config.resend_interval, DEFAULTS.resendIntervalMs, 'resend_interval', [])
  const resolvedResendForMs = durationSetting(config.resolved_resend_for, DEFAULTS.resolvedResendForMs, 'resolved_resend_for', [], true)
  const timeoutMs = durationSetting(config.timeout, DEFAULTS.timeoutMs, 'timeout', [])
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`
  const tracked = new Map<string, Tracked>()
  // Episodes whose resolve was posted for long enough: a late repeat of it is not posted again.
  const finished = new Map<string, string>()
  let failures = 0
  let retryAtMs = -Infinity

  const isDue = (t: Tracked, nowMs: number): boolean => t.changed || nowMs - t.lastPostedMs >= resendIntervalMs

  return {
    receiver: place.receiver,
    track(alert) {
      if (alert.state === 'firing') finished.delete(alert.fingerprint)
      else if (finished.get(alert.fingerprint) === alert.episodeId) return
      const known = tracked.get(alert.fingerprint)
      const changed =
        known === undefined ||
        known.alert.state !== alert.state ||
        known.alert.episodeId !== alert.episodeId ||
        known.alert.acknowledged !== alert.acknowledged ||
        JSON.stringify(known.alert.annotations) !== JSON.stringify(alert.annotations)
      if (known === undefined) tracked.set(alert.fingerprint, { alert, changed: true, lastPostedMs: -Infinity })
      else {
        known.alert = alert
        known.changed ||= changed
      }
    },
    resolveAbsent(seen, nowMs) {
      for (const t of tracked.values()) {
        if (t.alert.state !== 'firing' || seen.has(t.alert.fingerprint)) continue
        t.alert = { ...t.alert, state: 'resolved', resolvedAt: new Date(nowMs).toISOString(), resolveReason: 'deleted' }
        t.changed = true
      }
    },
    async run(nowMs) {
      for (const [fingerprint, t] of tracked) {
        const resolvedMs = t.alert.resolvedAt === undefined ? undefined : Date.parse(t.alert.resolvedAt)
        if (t.alert.state === 'resolved' && !t.changed && resolvedMs !== undefined && nowMs - resolvedMs >= resolvedResendForMs) {
          tracked.delete(fingerprint)
          finished.set(fingerprint, t.alert.episodeId)
        }
      }
      if (nowMs < retryAtMs || ![...tracked.values()].some((t) => isDue(t, nowMs))) return
      // Like Prometheus, everything current goes in one post: Alertmanager merges by labels.
      const batch = [...tracked.values()]
      const body = JSON.stringify(batch.map((t) => alertmanagerAlert(t.alert, nowMs, resendIntervalMs)))
      let result
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) })
        const text = await response.text()
        result = httpResult(response.status, response.headers.get('retry-after'), nowMs, `alertmanager ${text.slice(0, 200)}`)
      } catch (err) {
        result = { kind: 'retryable' as const, error: `alertmanager: ${errorText(err)}` }
      }
      if (result.kind === 'retryable') {
        failures++
        retryAtMs = nowMs + (result.retryAfterMs ?? Math.min(RETRY_MS.max, RETRY_MS.initial * 2 ** (failures - 1)))
        logger.warn({ receiver: place.receiver, url, error: result.error, failures }, 'alertmanager forward failed; will retry')
        return
      }
      failures = 0
      retryAtMs = -Infinity
      // A refused post (4xx) is not tried again until the next resend: the same body would fail the same way.
      if (result.kind === 'failure') logger.error({ receiver: place.receiver, url, error: result.error }, 'alertmanager refused the alerts')
      for (const t of batch) {
        t.changed = false
        t.lastPostedMs = nowMs
      }
    },
    nextDueMs() {
      let next: number | undefined
      for (const t of tracked.values()) {
        const at = Math.max(retryAtMs, t.changed ? -Infinity : t.lastPostedMs + resendIntervalMs)
        if (next === undefined || at < next) next = at
      }
      return next
    },
  }
}
