// A loaded alert rule: the YAML with defaults filled in and durations in milliseconds. Plain
// frozen data, one variant per kind, so the evaluator's switch covers every kind.
import type { Severity } from '../notify/index.ts'
import type { BaselineSpec, Direction } from './baseline.ts'

export type Comparison = '>' | '>=' | '<' | '<='
export type NoDataPolicy = 'ok' | 'unknown' | 'breach'

export interface RuleCommon {
  readonly id: string
  readonly group: string
  readonly description?: string
  readonly forMs: number
  readonly keepFiringForMs: number
  readonly intervalMs: number
  readonly severity: Severity
  /** Static labels (file labels, rule labels, route); measured values never go here. */
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: { readonly summary: string; readonly description: string }
  readonly runbook: string
  readonly owner: string
  readonly noData: NoDataPolicy
  readonly onError: 'unknown' | 'breach'
  readonly minSample: number
  /** Flap detection over the last `window` evaluations; absent: off. */
  readonly flap?: FlapSpec
  /** UNKNOWN for late data this long raises SourceLate{system}; 0: never. */
  readonly sourceLateAfterMs: number
  readonly source: { readonly file: string; readonly line: number }
}

export interface FlapSpec {
  readonly window: number
  /** Percentages of state changes among the window's evaluations. */
  readonly high: number
  readonly low: number
}

/** What a threshold or anomaly rule measures (rules/kpi-measure.ts). */
interface KpiFields {
  readonly kpi: string
  readonly process?: string
  readonly sla?: string
  readonly where: Readonly<Record<string, string>>
  readonly groupBy: readonly string[]
  readonly windowMs: number
}

export type Rule =
  | (RuleCommon &
      KpiFields & {
        readonly kind: 'threshold'
        readonly op: Comparison
        readonly value: number
        readonly clearValue?: number
      })
  | (RuleCommon & KpiFields & { readonly kind: 'anomaly'; readonly direction: Direction; readonly baseline: BaselineSpec })
  | (RuleCommon & { readonly kind: 'stuck'; readonly process: string; readonly minCount: number })
  | (RuleCommon & { readonly kind: 'sla_breach' | 'sla_at_risk'; readonly process: string; readonly sla?: string; readonly minCount: number })
  | (RuleCommon & {
      readonly kind: 'absence'
      readonly process: string
      readonly after: string
      readonly expect: string
      readonly withinMs: number
      readonly clock: 'wall' | 'business'
    })
  | (RuleCommon & { readonly kind: 'heartbeat'; readonly system: string; readonly silentForMs: number })
  | (RuleCommon & { readonly kind: 'sql'; readonly sql: string; readonly op: Comparison; readonly value: number })

export type RuleKind = Rule['kind']

export function compare(op: Comparison, left: number, right: number): boolean {
  switch (op) {
    case '>':
      return left > right
    case '>=':
      return left >= right
    case '<':
      return left < right
    case '<=':
      return left <= right
  }
}
