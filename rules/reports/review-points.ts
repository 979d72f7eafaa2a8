// "What to review": the questions a postmortem should ask about how the alerting went, read
// off the episode: slow or missing acknowledgement, slow detection, flapping, silences that
// held notifications back, notifications that failed, a missing runbook, failed diagnostics,
// and resolutions that were not recoveries.
import type { Severity } from '../../notify/index.ts'
import { durationText } from './episode-timeline.ts'
import type { DiagnosticResult, EpisodeDurations, EpisodeTimes, NotificationEntry, ReviewPoint, RunbookLink, SilenceEntry } from './model.ts'

export const DEFAULT_ACK_TARGET_SECONDS: Readonly<Record<Severity, number>> = { critical: 5 * 60, warning: 30 * 60, info: 4 * 3600 }

export interface ReviewInputs {
  readonly status: string
  readonly severity: Severity
  readonly times: EpisodeTimes
  readonly durations: EpisodeDurations
  readonly flaps: number
  readonly notifications: readonly NotificationEntry[]
  readonly silences: readonly SilenceEntry[]
  readonly runbook: RunbookLink | null
  readonly diagnostics: readonly DiagnosticResult[]
  /** `for` and the evaluation interval of the rule, when it still exists. */
  readonly timers: { readonly forMs: number; readonly intervalMs: number } | undefined
  readonly ackTargetSeconds: Readonly<Record<Severity, number>>
  readonly nowMs: number
}

const RESOLVE_MEANINGS: Readonly<Record<string, string>> = {
  late_data: 'late data showed the condition never truly breached: a false alarm; review the lateness allowance of the source',
  instances_completed: 'the affected instances completed: check whether the alert fired too early',
  rule_changed: 'the rule changed while the alert was active',
  silenced_at_source: 'the source silenced it',
  deleted: 'the rule was removed from the rule files while the alert was active',
}

export function reviewPoints(r: ReviewInputs): ReviewPoint[] {
  const out: ReviewPoint[] = []
  const fired = r.times.firedAt !== null
  if (r.status === 'pending' || r.status === 'firing' || r.status === 'recovering') {
    out.push({ kind: 'still_open', message: `the episode is still ${r.status}: this report is provisional` })
  }
  if (!fired) return out
  const firedMs = Date.parse(r.times.firedAt ?? '')
  const target = r.ackTargetSeconds[r.severity]
  const tta = r.durations.timeToAcknowledgeSeconds
  if (tta !== null && tta > target) {
    out.push({
      kind: 'slow_acknowledgement',
      message: `acknowledged ${durationText(tta)} after firing, over the ${durationText(target)} target for ${r.severity} alerts`,
    })
  } else if (tta === null) {
    const openFor = ((r.times.resolvedAt === null ? r.nowMs : Date.parse(r.times.resolvedAt)) - firedMs) / 1000
    if (openFor > target)
      out.push({
        kind: 'not_acknowledged',
        message: `never acknowledged in ${durationText(openFor)} of firing (target ${durationText(target)} for ${r.severity})`,
      })
  }
  const ttd = r.durations.timeToDetectSeconds
  if (ttd !== null && r.timers !== undefined) {
    const expected = (r.timers.forMs + 2 * r.timers.intervalMs) / 1000
    if (ttd > expected) {
      out.push({
        kind: 'slow_detection',
        message: `fired ${durationText(ttd)} after the impact began, more than \`for\` plus two evaluation intervals (${durationText(expected)}): check thresholds, windows and data latency`,
      })
    }
  }
  if (r.flaps > 0) {
    out.push({
      kind: 'flapping',
      message: `went back to firing ${r.flaps} time(s) while recovering: consider a clear_value or a longer keep_firing_for`,
    })
  }
  for (const s of r.silences) {
    out.push({
      kind: 'silenced',
      message: `silence ${s.id} by ${s.createdBy} (${s.comment}) matched this alert from ${s.startsAt} to ${s.endsAt}: notifications were held back meanwhile`,
    })
  }
  if (r.notifications.length === 0)
    out.push({ kind: 'no_notification', message: 'no notification was recorded for this episode: check routes, silences and inhibition' })
  const undelivered = r.notifications.filter((n) => n.status !== 'delivered')
  if (undelivered.length > 0) {
    out.push({
      kind: 'notification_failed',
      message: `${undelivered.length} notification(s) not delivered: ${undelivered.map((n) => `${n.receiver}/${n.channel} ${n.reason} (${n.status}${n.error ? `: ${n.error}` : ''})`).join('; ')}`,
    })
  }
  if (r.runbook === null) out.push({ kind: 'no_runbook', message: 'the alert had no runbook: write one (runbooks/<rule id>.md)' })
  const failed = r.diagnostics.filter((d) => d.error !== '')
  if (failed.length > 0) {
    out.push({ kind: 'diagnostic_errors', message: `${failed.length} diagnostic step(s) failed: ${[...new Set(failed.map((d) => d.step))].join(', ')}` })
  }
  const reason = r.times.resolveReason
  if (reason !== null && reason !== 'recovered') {
    out.push({ kind: 'resolved_without_recovery', message: `resolved with reason ${reason}: ${RESOLVE_MEANINGS[reason] ?? 'not a recovery'}` })
  }
  return out
}
