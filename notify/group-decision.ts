// The send decision for one group at one flush, after Alertmanager's dedup stage: the first
// notification, new alerts, a higher severity, all resolved (always sent), some resolved,
// the repeat interval elapsed, or an acknowledgement to show; otherwise nothing. The reason
// travels with the message. Acknowledged alerts get no reminders, but still their resolve and
// any escalation.
import type { Alert, Severity } from './alert.ts'

export type NotifyReason = 'first' | 'new_alerts' | 'escalation' | 'all_resolved' | 'some_resolved' | 'repeat' | 'update'

export const NOTIFY_REASONS: readonly NotifyReason[] = ['first', 'new_alerts', 'escalation', 'all_resolved', 'some_resolved', 'repeat', 'update']

/** What the group's last notification reported: the alerts as they were then. */
export interface GroupReport {
  readonly sequence: number
  readonly firstNotifiedMs: number
  readonly lastNotifiedMs: number
  /** The episode's title, fixed at the first notification (email subjects thread on it). */
  readonly title: string
  readonly alerts: readonly Alert[]
}

export type SendDecision =
  | { readonly send: false }
  | {
      readonly send: true
      readonly reason: NotifyReason
      /** The fingerprints behind the reason: the new, escalated or resolved alerts. */
      readonly changed: readonly string[]
    }

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 }

export function highestSeverity(alerts: readonly Alert[]): Severity | undefined {
  let best: Severity | undefined
  for (const a of alerts) if (best === undefined || RANK[a.severity] > RANK[best]) best = a.severity
  return best
}

const send = (reason: NotifyReason, changed: readonly string[]): SendDecision => ({ send: true, reason, changed })

/**
 * `alerts` are the group's alerts that passed inhibition and silences (resolved ones always
 * pass); `mutedFiring` counts the firing ones that did not, which keep an all-resolved message
 * back (they still fire, the receiver just does not hear of them).
 */
export function decideSend(
  last: GroupReport | undefined,
  alerts: readonly Alert[],
  mutedFiring: number,
  nowMs: number,
  repeatIntervalMs: number,
): SendDecision {
  const firing = alerts.filter((a) => a.state === 'firing')
  if (last === undefined)
    return firing.length > 0
      ? send(
          'first',
          firing.map((a) => a.fingerprint),
        )
      : { send: false }

  const reported = new Map(last.alerts.map((a) => [a.fingerprint, a]))
  const reportedFiring = last.alerts.filter((a) => a.state === 'firing')
  const fresh = firing.filter((a) => reported.get(a.fingerprint)?.state !== 'firing')
  if (fresh.length > 0)
    return send(
      'new_alerts',
      fresh.map((a) => a.fingerprint),
    )

  const newlyResolved = alerts.filter((a) => a.state === 'resolved' && reported.get(a.fingerprint)?.state === 'firing')
  if (firing.length === 0) {
    if (reportedFiring.length === 0) return { send: false }
    if (mutedFiring === 0)
      return send(
        'all_resolved',
        newlyResolved.map((a) => a.fingerprint),
      )
    return newlyResolved.length > 0
      ? send(
          'some_resolved',
          newlyResolved.map((a) => a.fingerprint),
        )
      : { send: false }
  }

  const now = highestSeverity(firing)
  const before = highestSeverity(reportedFiring)
  if (now !== undefined && before !== undefined && RANK[now] > RANK[before]) {
    return send(
      'escalation',
      firing.filter((a) => a.severity === now).map((a) => a.fingerprint),
    )
  }
  if (newlyResolved.length > 0)
    return send(
      'some_resolved',
      newlyResolved.map((a) => a.fingerprint),
    )

  const allAcknowledged = firing.every((a) => a.acknowledged)
  if (!allAcknowledged && nowMs - last.lastNotifiedMs >= repeatIntervalMs) return send('repeat', [])

  const ackChanged = firing.filter((a) => a.acknowledged !== (reported.get(a.fingerprint)?.acknowledged ?? false))
  if (ackChanged.length > 0)
    return send(
      'update',
      ackChanged.map((a) => a.fingerprint),
    )
  return { send: false }
}
