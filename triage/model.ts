// A runbook as the rest of the service sees it once parsed: front matter, the H2 sections and
// the executable steps (fenced blocks with attributes). Steps are a union on `kind`, so an
// action can never reach the automatic diagnostic runner by a forgotten flag.
import type { Severity } from '../notify/index.ts'

/** The sections every runbook has, in the order they are written. */
export const REQUIRED_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Verification', 'Escalation'] as const

export type RequiredSection = (typeof REQUIRED_SECTIONS)[number]

/** Which alerts a runbook is for: rules by id, alerts by label values, or both (and). */
export interface AppliesTo {
  readonly rules: readonly string[]
  readonly labels: Readonly<Record<string, string>>
}

export interface RunbookFrontMatter {
  readonly id: string
  readonly appliesTo: AppliesTo
  readonly owner: string
  /** What each severity means for this alert: whom to wake, what can wait. */
  readonly severityGuide: Readonly<Partial<Record<Severity, string>>>
  /** YYYY-MM-DD. */
  readonly lastReviewed: string
}

export interface RunbookSection {
  readonly name: string
  /** 1-based line of the `## Name` heading. */
  readonly line: number
  /** The section's Markdown source, heading excluded. */
  readonly markdown: string
}

/** A `{name:Type}` placeholder of a step's SQL, bound by ClickHouse, never spliced. */
export interface QueryParameter {
  readonly name: string
  readonly type: string
  /** 1-based line in the runbook file. */
  readonly line: number
}

interface StepBase {
  readonly name: string
  readonly title: string
  /** The fence's language: `sql`, `sh`, ... */
  readonly language: string
  readonly code: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** The H2 section the step is written in ('' before the first one). */
  readonly section: string
  readonly timeoutMs: number
  /** Placeholders of SQL steps; none for other languages. */
  readonly parameters: readonly QueryParameter[]
}

/** Read-only SQL, run with the alert's labels and window bound as parameters. */
export interface DiagnosticStep extends StepBase {
  readonly kind: 'diagnostic'
  /** Runs by itself when the alert fires and when it resolves. */
  readonly auto: boolean
  readonly maxRows: number
}

/** Changes something; runs only when an operator asks, audited in alert_actions. */
export interface ActionStep extends StepBase {
  readonly kind: 'action'
}

export type RunbookStep = DiagnosticStep | ActionStep
export type StepKind = RunbookStep['kind']

export interface Runbook extends RunbookFrontMatter {
  readonly file: string
  /** The `# Title`, else the id. */
  readonly title: string
  readonly sections: readonly RunbookSection[]
  readonly steps: readonly RunbookStep[]
  /** The whole file as written, for rendering. */
  readonly source: string
}

/** The alert a runbook's steps run for: its identity, labels and time window. */
export interface AlertContext {
  readonly ruleId: string
  readonly fingerprint: string
  readonly episodeId: string
  readonly labels: Readonly<Record<string, string>>
  /** The evaluation window the alert was decided on, RFC 3339. */
  readonly windowStart: string
  readonly windowEnd: string
  /** When the engine decided it fires, RFC 3339. */
  readonly firedAt: string
}

/** A rule as runbook validation needs it, so triage does not depend on the rules engine. */
export interface RuleForRunbooks {
  readonly id: string
  /** Names of the labels the rule's alerts carry. */
  readonly labels: readonly string[]
  /** The runbook id the rule names (rules' `runbook` field), when it names one. */
  readonly runbook?: string
  /** Where the rule is written, for problems about it. */
  readonly file?: string
  readonly line?: number
}
