// Alertmanager's aggregation groups: the alerts one route sends to one receiver under the same
// group labels, with the group's flush timer (group_wait for a new group, then
// group_interval), its last report and its thread. The engine hands over every current alert
// each cycle; an alert a group held that is no longer handed over counts as resolved. When a
// group's last firing alert resolves, its flush moves up to resolve_wait (the fast resolve).
import type { Alert } from './alert.ts'
import type { GroupReport } from './group-decision.ts'
import type { LabelSet } from './matchers.ts'
import { groupKey, groupLabels, matchRoutes, type Route } from './routing.ts'

export interface AggregationGroup {
  readonly receiver: string
  readonly groupKey: string
  readonly route: Route
  readonly labels: LabelSet
  /** Starts when the group is made; a group that resolved and fires again is a new group. */
  readonly episode: string
  readonly alerts: Map<string, Alert>
  nextFlushMs: number
  report: GroupReport | undefined
  readonly threadRefs: Record<string, string>
  /** Idempotency keys already recorded for this episode: the same decision is not recorded twice. */
  readonly recordedKeys: Set<string>
  /** The last write of the group's record failed: it is written again at the next flush. */
  unsaved: boolean
}

/** The labels routing, grouping, inhibition and silences see: the rule id as alertname, and the severity. */
export function routingLabels(alert: Alert): LabelSet {
  return { alertname: alert.ruleId, severity: alert.severity, ...alert.labels }
}

export const groupId = (receiver: string, key: string): string => `${receiver}\u0000${key}`

export const hasFiring = (alerts: Iterable<Alert>): boolean => {
  for (const a of alerts) if (a.state === 'firing') return true
  return false
}

export function resolvedNow(alert: Alert, nowMs: number): Alert {
  return { ...alert, state: 'resolved', resolvedAt: new Date(nowMs).toISOString(), resolveReason: 'deleted' }
}

/**
 * Routes the cycle's alerts into the groups (making groups for firing alerts only: a resolved
 * alert alone has nothing to tell a receiver that never heard of it) and resolves the ones
 * that left a group. Receivers that only forward to Alertmanager get no groups. Returns, per
 * receiver, the alerts routed to it.
 */
export function applyAlerts(
  groups: Map<string, AggregationGroup>,
  root: Route,
  alerts: readonly Alert[],
  nowMs: number,
  resolveWaitMs: number,
  grouped: (receiver: string) => boolean,
): Map<string, Alert[]> {
  const seen = new Map<string, Set<string>>()
  const byReceiver = new Map<string, Alert[]>()
  for (const alert of alerts) {
    const labels = routingLabels(alert)
    for (const route of matchRoutes(root, labels)) {
      const list = byReceiver.get(route.receiver) ?? []
      list.push(alert)
      byReceiver.set(route.receiver, list)
      if (!grouped(route.receiver)) continue
      const key = groupKey(route, labels)
      const id = groupId(route.receiver, key)
      let group = groups.get(id)
      if (group === undefined) {
        if (alert.state !== 'firing') continue
        group = {
          receiver: route.receiver,
          groupKey: key,
          route,
          labels: groupLabels(route, labels),
          episode: `e${nowMs}`,
          alerts: new Map(),
          nextFlushMs: nowMs + route.groupWaitMs,
          report: undefined,
          threadRefs: {},
          recordedKeys: new Set(),
          unsaved: false,
        }
        groups.set(id, group)
      }
      group.alerts.set(alert.fingerprint, alert)
      const ids = seen.get(id) ?? new Set<string>()
      ids.add(alert.fingerprint)
      seen.set(id, ids)
    }
  }
  for (const [id, group] of groups) {
    const present = seen.get(id)
    for (const [fingerprint, alert] of group.alerts) {
      if (alert.state === 'firing' && present?.has(fingerprint) !== true) group.alerts.set(fingerprint, resolvedNow(alert, nowMs))
    }
    const notifiedFiring = group.report !== undefined && hasFiring(group.report.alerts)
    if (notifiedFiring && !hasFiring(group.alerts.values())) group.nextFlushMs = Math.min(group.nextFlushMs, nowMs + resolveWaitMs)
  }
  return byReceiver
}

/** Groups whose flush is due, earliest first. */
export function dueGroups(groups: ReadonlyMap<string, AggregationGroup>, nowMs: number): AggregationGroup[] {
  return [...groups.values()].filter((g) => g.nextFlushMs <= nowMs).sort((a, b) => a.nextFlushMs - b.nextFlushMs)
}
