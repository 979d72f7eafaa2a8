// What an incident review report holds: one alert episode (fingerprint + the event time its
// impact began) told as a postmortem needs it, and the period report over many episodes.
// Plain data, JSON as the API answers it; the Markdown and HTML renderings are made from it.
import type { Severity, ValueAtRisk } from '../../notify/index.ts'
import type { ProcessDefinition } from '../../processes/index.ts'
import type { Rule } from '../model.ts'

export type TimelineKind =
  | 'impact_start'
  | 'pending'
  | 'firing'
  | 'firing_again'
  | 'condition_cleared'
  | 'resolved'
  | 'dropped'
  | 'notification'
  | 'ack'
  | 'unack'
  | 'comment'
  | 'run_action'
  | 'silence_start'
  | 'silence_end'
  | 'diagnostics'

export interface TimelineEntry {
  /** RFC 3339, UTC. */
  readonly at: string
  readonly kind: TimelineKind
  /** Who: the operator, the receiver notified, or '' for the engine. */
  readonly who: string
  readonly details: string
}

export interface EpisodeTimes {
  /** The first breaching event: the start of impact, from the data. */
  readonly impactStart: string
  readonly pendingSince: string | null
  readonly firedAt: string | null
  readonly firstNotifiedAt: string | null
  readonly acknowledgedAt: string | null
  /** When the condition stopped breaching (the alert may resolve later, after keep_firing_for). */
  readonly conditionClearedAt: string | null
  readonly resolvedAt: string | null
  readonly resolveReason: string | null
}

/** Seconds; null when the later end has not happened (or the episode never fired). */
export interface EpisodeDurations {
  /** impact start -> firing */
  readonly timeToDetectSeconds: number | null
  /** impact start -> first notification delivered (the engine's event-to-notification latency) */
  readonly timeToNotifySeconds: number | null
  /** firing -> first ack (MTTA for one episode, as K11) */
  readonly timeToAcknowledgeSeconds: number | null
  /** firing -> resolved (MTTR for one episode, as K11) */
  readonly timeToResolveSeconds: number | null
  /** impact start -> condition cleared */
  readonly impactDurationSeconds: number | null
  /** condition cleared -> resolved (keep_firing_for, or a late resolve) */
  readonly clearedToResolvedSeconds: number | null
}

export interface NotificationEntry {
  readonly intendedAt: string
  readonly deliveredAt: string | null
  readonly receiver: string
  readonly channel: string
  readonly reason: string
  readonly status: string
  readonly attempts: number
  readonly error: string
}

export interface SlaBreaches {
  readonly sla: string
  /** Instances whose deadline fell in the impact window. */
  readonly due: number
  readonly met: number
  readonly breached: number
  /** Open and past their deadline at the window end. */
  readonly breachedOpen: number
  readonly sampleKeys: readonly string[]
}

export interface BusinessImpact {
  /** The process the rule watches; null when it watches none (integrations, heartbeats, SQL). */
  readonly process: string | null
  /** The impact window the KPIs were taken over: impact start -> condition cleared (or now). */
  readonly window: { readonly from: string; readonly to: string }
  /** Distinct instances stuck at firing or breaching an SLA in the window; else what the alert reported. */
  readonly instancesAffected: number | null
  readonly valueAtRisk: readonly ValueAtRisk[]
  readonly sampleKeys: readonly string[]
  /** K4 at the firing time: stuck instances and their value. */
  readonly stuckAtFiring: { readonly stuck: number; readonly valueAtRisk: readonly ValueAtRisk[]; readonly sampleKeys: readonly string[] } | null
  /** K5 over the window, per SLA. */
  readonly slaBreaches: readonly SlaBreaches[]
  /** What the alert itself carried (its last evaluation), when it is still stored. */
  readonly reported: { readonly instances: number; readonly valueAtRisk: readonly ValueAtRisk[]; readonly sampleKeys: readonly string[] } | null
}

export interface DiagnosticResult {
  readonly at: string
  readonly step: string
  readonly title: string
  readonly phase: string
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly truncated: boolean
  readonly error: string
  readonly durationMs: number
}

export interface SilenceEntry {
  readonly id: string
  readonly matchers: string
  readonly startsAt: string
  readonly endsAt: string
  readonly createdBy: string
  readonly comment: string
}

export type ReviewKind =
  | 'slow_acknowledgement'
  | 'not_acknowledged'
  | 'slow_detection'
  | 'flapping'
  | 'silenced'
  | 'no_notification'
  | 'notification_failed'
  | 'no_runbook'
  | 'diagnostic_errors'
  | 'resolved_without_recovery'
  | 'still_open'

export interface ReviewPoint {
  readonly kind: ReviewKind
  readonly message: string
}

export interface RunbookLink {
  readonly id: string
  readonly title: string
  readonly url: string
}

export interface IncidentReport {
  readonly title: string
  readonly fingerprint: string
  readonly episodeId: string
  /** pending | firing | recovering | resolved | dropped (cleared while pending: never fired) */
  readonly status: string
  readonly rule: {
    readonly id: string
    /** null when the rule is no longer in the rule files. */
    readonly kind: string | null
    readonly severity: Severity
    readonly owner: string
    readonly forSeconds: number | null
    readonly keepFiringForSeconds: number | null
  }
  readonly labels: Readonly<Record<string, string>>
  readonly process: string | null
  readonly integration: string | null
  readonly summary: string
  readonly times: EpisodeTimes
  readonly durations: EpisodeDurations
  /** Times the alert went from recovering back to firing within the episode. */
  readonly flaps: number
  readonly timeline: readonly TimelineEntry[]
  readonly notifications: readonly NotificationEntry[]
  readonly silences: readonly SilenceEntry[]
  readonly impact: BusinessImpact
  readonly runbook: RunbookLink | null
  readonly diagnostics: {
    readonly fired: readonly DiagnosticResult[]
    readonly resolved: readonly DiagnosticResult[]
    readonly manual: readonly DiagnosticResult[]
  }
  readonly review: readonly ReviewPoint[]
  readonly links: { readonly alert: string; readonly report: string }
  readonly generatedAt: string
}

export interface EpisodeSummary {
  readonly fingerprint: string
  readonly episodeId: string
  readonly start: string
  readonly ruleId: string
  readonly process: string | null
  readonly severity: Severity | null
  readonly labels: Readonly<Record<string, string>>
  readonly firedAt: string
  readonly acknowledgedAt: string | null
  readonly resolvedAt: string | null
  readonly resolveReason: string | null
  readonly timeToAcknowledgeSeconds: number | null
  readonly timeToResolveSeconds: number | null
  readonly report: string
}

export interface EpisodeStats {
  readonly episodes: number
  readonly acknowledged: number
  readonly mttaSeconds: number | null
  readonly resolved: number
  readonly mttrSeconds: number | null
}

export interface IncidentsReport {
  readonly from: string
  readonly to: string
  readonly totals: EpisodeStats
  readonly rules: ReadonlyArray<EpisodeStats & { readonly ruleId: string; readonly process: string | null }>
  readonly processes: ReadonlyArray<EpisodeStats & { readonly process: string }>
  readonly episodes: readonly EpisodeSummary[]
  readonly generatedAt: string
}

/** A runbook as the report shows it, found by the caller (reports do not depend on triage). */
export interface ReportRunbook extends RunbookLink {
  /** Step name -> its title, to head the diagnostic tables. */
  readonly stepTitles: Readonly<Record<string, string>>
}

export interface ReportContext {
  readonly rules: readonly Rule[]
  readonly definitions: readonly ProcessDefinition[]
  /** The runbook an alert gets (triage's runbookForAlert, with a URL). */
  readonly runbookOf?: (alert: {
    readonly ruleId: string
    readonly labels: Readonly<Record<string, string>>
    readonly runbook: string
  }) => ReportRunbook | undefined
  /** Base URL of the API for links, e.g. http://localhost:8080 ('' gives relative links). */
  readonly baseUrl: string
  /** Acknowledgement targets per severity, seconds (default: critical 5 min, warning 30 min, info 4 h). */
  readonly ackTargetSeconds?: Readonly<Record<Severity, number>>
  readonly now?: () => number
}
