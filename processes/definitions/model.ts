// ProcessDefinition: what the loader hands the deriver, the KPIs, the rules and the API. Every
// default is filled in, every duration is in milliseconds, every name is checked and branded,
// every reference resolved, and the whole object is frozen. Plain data: it serialises to JSON.
import type { BusinessCalendar } from '../../core/calendar.ts'
import { BusinessAttr } from '../../core/semconv.ts'
import type { KeyType, MilestoneName, ProcessName, ProcessVersion } from './names.ts'

export type TextMatch =
  | { readonly kind: 'equals'; readonly text: string }
  | { readonly kind: 'contains'; readonly text: string }
  /** A JavaScript regular expression's source, already compiled once by the loader. */
  | { readonly kind: 'pattern'; readonly pattern: string }

/** Attributes are stored as text, so the values to compare with are text too (201 -> '201'). */
export type ValueMatch =
  { readonly kind: 'one_of'; readonly values: readonly string[] } | { readonly kind: 'pattern'; readonly pattern: string } | { readonly kind: 'present' }

export interface AttributeMatch {
  readonly attribute: string
  readonly match: ValueMatch
}

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal'

/**
 * Recognises a milestone in a record that does not say which milestone it is. A record's
 * own `business.milestone` (or an alias of it) always wins over every recogniser.
 */
export type Recogniser =
  | {
      readonly from: 'span'
      readonly spanName?: TextMatch
      readonly service?: TextMatch
      readonly spanKind?: SpanKindName
      readonly status?: 'ok' | 'error'
      readonly attributes: readonly AttributeMatch[]
    }
  | {
      readonly from: 'log'
      readonly eventName?: TextMatch
      readonly body?: TextMatch
      readonly service?: TextMatch
      readonly attributes: readonly AttributeMatch[]
    }

export interface MilestoneDefinition {
  readonly name: MilestoneName
  readonly description?: string
  /** The system expected to emit it; the watermark guard waits for this system's data. */
  readonly system?: string
  readonly object?: string
  readonly aliases: readonly string[]
  /** In file order; the first milestone (in file order) with a matching recogniser wins. */
  readonly recognisers: readonly Recogniser[]
}

export interface KeyDefinition {
  readonly type: KeyType
  /** instance keys link records into instances; reference keys (customer ids) never do. */
  readonly role: 'instance' | 'reference'
  /** Attributes that carry the key, in order of preference; default [business.key.<type>]. */
  readonly attributes: readonly string[]
}

export type Outcome = 'completed' | 'cancelled' | 'failed'

export interface TerminalMilestone {
  readonly milestone: MilestoneName
  readonly outcome: Outcome
}

export interface ChildObject {
  readonly keyType: KeyType
  readonly parentKeyType: KeyType
  /** Milestones that happen once per child: the instance reaches one per `completion`. */
  readonly milestones: readonly MilestoneName[]
  readonly completion: 'all' | 'any'
}

export interface FlowEdge {
  readonly from: MilestoneName
  readonly to: MilestoneName
}

export interface ConformanceModel {
  /** Empty: no directly-follows model, conformance is not checked against edges. */
  readonly edges: readonly FlowEdge[]
  readonly mandatory: readonly MilestoneName[]
}

export interface ReworkPolicy {
  readonly mayRepeat: readonly MilestoneName[]
  readonly reworkActivities: readonly MilestoneName[]
}

export type Clock = 'wall' | 'business'

export type SlaTarget =
  | { readonly kind: 'fixed'; readonly ms: number }
  | {
      readonly kind: 'by_attribute'
      readonly attribute: string
      /** Attribute value -> target in ms. */
      readonly values: Readonly<Record<string, number>>
      readonly defaultMs: number
    }

export interface SlaDefinition {
  readonly name: string
  readonly description?: string
  readonly from: readonly MilestoneName[]
  readonly to: readonly MilestoneName[]
  readonly target: SlaTarget
  readonly clock: Clock
  /** Open, not breached, and past from + atRisk * target: at risk. */
  readonly atRisk: number
}

export type StageThreshold =
  | { readonly kind: 'static'; readonly ms: number }
  | { readonly kind: 'dynamic'; readonly minMs: number; readonly k: number; readonly percentile: number; readonly windowMs: number }

export interface StageDefinition {
  readonly after: MilestoneName
  readonly threshold: StageThreshold
  readonly clock: Clock
}

export type CurrencySource = { readonly kind: 'fixed'; readonly code: string } | { readonly kind: 'attribute'; readonly attribute: string }

export interface ValueDefinition {
  readonly attribute: string
  readonly currency: CurrencySource
}

export interface LatenessAllowance {
  readonly defaultMs: number
  /** System -> allowance in ms, for systems that report late by design. */
  readonly bySystem: Readonly<Record<string, number>>
}

/** Where a definition came from, so later messages can point at it. */
export interface DefinitionSource {
  readonly file: string
  readonly line: number
}

export interface ProcessDefinition {
  readonly name: ProcessName
  readonly version: ProcessVersion
  readonly description?: string
  readonly rootKey: KeyType
  readonly keys: readonly KeyDefinition[]
  readonly milestones: readonly MilestoneDefinition[]
  readonly start: readonly MilestoneName[]
  readonly terminal: readonly TerminalMilestone[]
  readonly children: readonly ChildObject[]
  readonly flow: ConformanceModel
  readonly rework: ReworkPolicy
  readonly slas: readonly SlaDefinition[]
  readonly stages: readonly StageDefinition[]
  readonly defaultStageThreshold?: StageThreshold
  readonly value?: ValueDefinition
  /** Always set: 24x7 in UTC when the file gives no calendar. */
  readonly calendar: BusinessCalendar
  readonly latenessAllowance: LatenessAllowance
  readonly clockSkewToleranceMs: number
  readonly nMin: number
  readonly source: DefinitionSource
}

export const DEFAULTS = Object.freeze({
  clockSkewToleranceMs: 120_000,
  nMin: 20,
  latenessAllowanceMs: 15 * 60_000,
  slaAtRisk: 0.8,
  dynamicPercentile: 95,
  dynamicWindowMs: 28 * 86_400_000,
  valueAttribute: BusinessAttr.value,
  currencyAttribute: BusinessAttr.currency,
})
