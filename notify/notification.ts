// One notification as every channel receives it: the group's alerts at the moment of the
// decision, the reason, and the deterministic idempotency key it is recorded and sent under.
// Stored whole as the intent's payload, so a re-send after a restart sends the same message.
// The facts (impact totals, samples, findings, links) are computed here once for all channels.
import { createHash } from 'node:crypto'
import type { Alert, DiagnosticFinding, Severity } from './alert.ts'
import type { NotifyReason } from './group-decision.ts'
import type { LabelSet } from './matchers.ts'

export interface Notification {
  readonly idempotencyKey: string
  readonly receiver: string
  /** The receiver's integration: `slack#0`, `email#1`, `webhook#0`. */
  readonly integration: string
  /** The route whose group this is (a restart finds the group's timers by it). */
  readonly routeId: string
  readonly groupKey: string
  /** A new one starts when a fully resolved group fires again. */
  readonly groupEpisode: string
  readonly groupLabels: LabelSet
  readonly reason: NotifyReason
  /** 0 for the episode's first notification, then 1, 2, ... */
  readonly sequence: number
  readonly status: 'firing' | 'resolved'
  readonly title: string
  readonly intendedAtMs: number
  /** Firing alerts first (highest severity first), then resolved ones. */
  readonly alerts: readonly Alert[]
  readonly changed: readonly string[]
}

const sha256 = (parts: readonly (string | number)[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex')

/** hash(receiver, integration, group key, group episode, reason, sequence): the same decision always yields the same key. */
export function idempotencyKey(n: Pick<Notification, 'receiver' | 'integration' | 'groupKey' | 'groupEpisode' | 'reason' | 'sequence'>): string {
  return sha256(['tl-notify-v1', n.receiver, n.integration, n.groupKey, n.groupEpisode, n.reason, n.sequence]).slice(0, 40)
}

/** A stable id of one group episode on one integration: the root email threads refer to. */
export function episodeThreadId(n: Pick<Notification, 'receiver' | 'integration' | 'groupKey' | 'groupEpisode'>): string {
  return sha256(['tl-thread-v1', n.receiver, n.integration, n.groupKey, n.groupEpisode]).slice(0, 40)
}

const RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 }

/** Firing before resolved, higher severity first, then earliest start: the first is the headline. */
export function orderAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      Number(a.state === 'resolved') - Number(b.state === 'resolved') ||
      RANK[a.severity] - RANK[b.severity] ||
      a.startsAt.localeCompare(b.startsAt) ||
      a.fingerprint.localeCompare(b.fingerprint),
  )
}

/** What every channel shows, computed once. */
export interface NotificationFacts {
  readonly headline: Alert
  readonly severity: Severity
  readonly firing: readonly Alert[]
  readonly resolved: readonly Alert[]
  readonly process: string | undefined
  readonly integration: string | undefined
  readonly instances: number
  readonly valueAtRisk: ReadonlyArray<{ readonly currency: string; readonly amount: number }>
  /** The earliest SLA breach among the firing alerts, RFC 3339. */
  readonly slaBreachAt: string | undefined
  /** At most 5 business keys. */
  readonly sampleKeys: readonly string[]
  /** The headline's first findings (at most 3). */
  readonly findings: readonly DiagnosticFinding[]
  readonly runbookUrl: string
  readonly dashboardUrl: string | undefined
  readonly apiUrl: string
}

export const MAX_SAMPLE_KEYS = 5
export const MAX_FINDINGS = 3

export function notificationFacts(n: Notification): NotificationFacts {
  const alerts = orderAlerts(n.alerts)
  const headline = alerts[0]
  if (headline === undefined) throw new RangeError(`notification ${n.idempotencyKey} has no alerts`)
  const firing = alerts.filter((a) => a.state === 'firing')
  const counted = firing.length > 0 ? firing : alerts
  const money = new Map<string, number>()
  for (const a of counted) for (const v of a.impact.valueAtRisk) money.set(v.currency, (money.get(v.currency) ?? 0) + v.amount)
  const breaches = firing.flatMap((a) => (a.impact.slaBreachAt === undefined ? [] : [a.impact.slaBreachAt])).sort()
  const sampleKeys = [...new Set(counted.flatMap((a) => a.impact.sampleKeys))].slice(0, MAX_SAMPLE_KEYS)
  return {
    headline,
    severity: headline.severity,
    firing,
    resolved: alerts.filter((a) => a.state === 'resolved'),
    process: headline.labels.process ?? n.groupLabels.process,
    integration: headline.labels.integration ?? n.groupLabels.integration,
    instances: counted.reduce((sum, a) => sum + a.impact.instances, 0),
    valueAtRisk: [...money].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => a.currency.localeCompare(b.currency)),
    slaBreachAt: breaches[0],
    sampleKeys,
    findings: headline.diagnostics.slice(0, MAX_FINDINGS),
    runbookUrl: headline.runbookUrl,
    dashboardUrl: headline.dashboardUrl,
    apiUrl: headline.apiUrl,
  }
}

/** The episode's title: the headline's summary when one rule fires, else the group's labels. */
export function episodeTitle(alerts: readonly Alert[], groupLabels: LabelSet): string {
  const ordered = orderAlerts(alerts)
  const rules = new Set(ordered.map((a) => a.ruleId))
  const labels = Object.entries(groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  if (rules.size === 1 && ordered[0] !== undefined) return ordered[0].annotations.summary || ordered[0].ruleId
  return `${ordered.length} alerts${labels === '' ? '' : `: ${labels}`}`
}

const REASON_TEXT: Readonly<Record<NotifyReason, string>> = {
  first: 'Firing',
  new_alerts: 'New alerts in the group',
  escalation: 'Severity raised',
  all_resolved: 'Resolved',
  some_resolved: 'Some alerts resolved',
  repeat: 'Still firing (reminder)',
  update: 'Updated',
}

export const reasonText = (reason: NotifyReason): string => REASON_TEXT[reason]

export function formatMoney(v: { readonly currency: string; readonly amount: number }): string {
  return `${v.amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${v.currency}`
}

/** '2026-11-02T11:30:00.000Z (in 2h30m)' or '(overdue 5m)', relative to the notification's time. */
export function etaText(iso: string, nowMs: number): string {
  const at = Date.parse(iso)
  if (!Number.isFinite(at)) return iso
  const minutes = Math.round(Math.abs(at - nowMs) / 60_000)
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`
  return `${iso} (${at >= nowMs ? `in ${span}` : `overdue ${span}`})`
}
