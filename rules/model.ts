// A loaded alert rule: the YAML with defaults filled in and durations in milliseconds. Plain
// frozen data, one variant per kind, so the evaluator's switch covers every kind.
import type { Severity } from '../notify/index.ts'

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
  readonly source: { readonly file: string; readonly line: number }
}

export type Rule =
  | (RuleCommon & {
      readonly kind: 'threshold'
      readonly kpi: string
      readonly process?: string
      readonly sla?: string
      readonly where: Readonly<Record<string, string>>
      readonly groupBy: readonly string[]
      readonly windowMs: number
      readonly op: Comparison
      readonly value: number
      readonly clearValue?: number
    })
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
