// What one evaluation says about one label set (a sample), and what every kind is evaluated
// with. Shared by the evaluator of each kind (rules/evaluate.ts, rules/anomaly.ts).
import type { AlertImpact } from '../notify/index.ts'
import type { Band } from './baseline.ts'
import type { MeasureContext, Measurement } from './kpi-measure.ts'
import type { Rule } from './model.ts'
import type { EvalResult } from './state-machine.ts'

export interface Sample {
  readonly labels: Readonly<Record<string, string>>
  readonly result: EvalResult
  readonly value: number | null
  /** Why UNKNOWN (late data, low sample, no data, error) or what breached. */
  readonly reason: string
  readonly impactStartMs?: number
  readonly impact?: AlertImpact
  /** For an UNKNOWN on late data: the systems whose watermark is behind (SourceLate{system}). */
  readonly lateSystems?: readonly string[]
  /** For an anomaly rule: the baseline band the value was judged against. */
  readonly baseline?: Band
}

export interface EvaluationContext extends MeasureContext {
  /** Event time of the evaluation (the window end), ms. */
  readonly atMs: number
  /** Was this alert firing before? (flap damping uses the clear threshold then). */
  readonly wasFiring: (labels: Readonly<Record<string, string>>) => boolean
}

/**
 * What a measurement says before the rule's own test: UNKNOWN below the minimum sample or
 * for a null ratio, the no_data policy for a missing single value (null: drop it), else
 * undefined (the rule decides).
 */
export function measurementPrecheck(rule: Extract<Rule, { kind: 'threshold' | 'anomaly' }>, m: Measurement): Sample | null | undefined {
  if (m.sample < rule.minSample) return { labels: m.labels, result: 'unknown', value: m.value, reason: `low_sample (${m.sample} < ${rule.minSample})` }
  if (m.value !== null) return undefined
  if (!m.nullIsNoData) return { labels: m.labels, result: 'unknown', value: null, reason: 'no_value (zero denominator)' }
  return rule.noData === 'ok' ? null : { labels: m.labels, result: rule.noData, value: null, reason: 'no_data' }
}
