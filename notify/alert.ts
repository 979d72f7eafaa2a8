// An alert as notifiers see it: what the rules engine hands to routing, grouping and the
// channels (Slack, email, webhook, Alertmanager). Measured values live here, never in labels,
// so a changing value never makes a new alert identity.

export type Severity = 'critical' | 'warning' | 'info'

/** What an alert is doing now, as notifications report it. */
export type NotifiedState = 'firing' | 'resolved'

export type ResolveReason = 'recovered' | 'late_data' | 'instances_completed' | 'rule_changed' | 'silenced_at_source' | 'deleted'

export interface ValueAtRisk {
  readonly currency: string
  readonly amount: number
}

/** What is at stake in business terms. */
export interface AlertImpact {
  readonly instances: number
  readonly valueAtRisk: readonly ValueAtRisk[]
  /** At most 5 business keys of affected instances, e.g. 'order_id=O-1001'. */
  readonly sampleKeys: readonly string[]
  /** When the first SLA deadline among the affected instances falls (RFC 3339), if any. */
  readonly slaBreachAt?: string
}

/** The result of one automatic runbook diagnostic, attached to the alert. */
export interface DiagnosticFinding {
  readonly step: string
  readonly title: string
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly truncated: boolean
  readonly error?: string
  readonly durationMs: number
}

export interface Alert {
  /** hash(rule id + label set): the alert's identity. */
  readonly fingerprint: string
  /** fingerprint + the start of this episode; a breach after resolution is a new episode. */
  readonly episodeId: string
  readonly ruleId: string
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: { readonly summary: string; readonly description: string }
  readonly severity: Severity
  readonly state: NotifiedState
  /** Start of impact, from the data (the first breaching event), RFC 3339. */
  readonly startsAt: string
  /** When the engine decided it fires (evaluation time), RFC 3339. */
  readonly firedAt: string
  readonly resolvedAt?: string
  readonly resolveReason?: ResolveReason
  /** The measured value of the last evaluation, for the message (never a label). */
  readonly value?: number
  readonly impact: AlertImpact
  readonly diagnostics: readonly DiagnosticFinding[]
  readonly acknowledged: boolean
  readonly runbookUrl: string
  readonly dashboardUrl?: string
  readonly apiUrl: string
}
