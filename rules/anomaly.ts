// The anomaly kind: a KPI against its own baseline. The current value and every past window's
// value come from the same KPI function (rules/kpi-measure.ts, the API's), per label set; the
// band is rules/baseline.ts. Too few past windows with a value: UNKNOWN (low baseline sample).
//
// One KPI call per past window, not one query over all of them: the KPI functions render their
// SQL for one window (percentiles over instance facts, SLA clocks, span joins), and a windowed
// variant of each would be a second implementation of every KPI to keep in step. The calls go
// a few at a time, so a remote ClickHouse runs them concurrently.
import { baselineBand, baselineTimes, outsideBand } from './baseline.ts'
import { measureKpi, type Measurement } from './kpi-measure.ts'
import type { Rule } from './model.ts'
import { measurementPrecheck, type EvaluationContext, type Sample } from './sample.ts'

type AnomalyRule = Extract<Rule, { kind: 'anomaly' }>

const CONCURRENT_WINDOWS = 4
const keyOf = (labels: Readonly<Record<string, string>>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))

/** Past values per label set, oldest first; a window without a value (or below min_sample) adds none. */
async function pastValues(ctx: EvaluationContext, rule: AnomalyRule): Promise<Map<string, number[]>> {
  const times = baselineTimes(rule.baseline, ctx.atMs)
  const measured: Measurement[][] = []
  for (let i = 0; i < times.length; i += CONCURRENT_WINDOWS) {
    const batch = times.slice(i, i + CONCURRENT_WINDOWS)
    measured.push(...(await Promise.all(batch.map((t) => measureKpi(ctx, rule, t)))))
  }
  const out = new Map<string, number[]>()
  for (const window of measured) {
    for (const m of window) {
      if (m.value === null || m.sample < rule.minSample) continue
      const key = keyOf(m.labels)
      out.set(key, [...(out.get(key) ?? []), m.value])
    }
  }
  return out
}

const round = (n: number): number => Math.round(n * 1000) / 1000

export async function anomaly(ctx: EvaluationContext, rule: AnomalyRule): Promise<Sample[]> {
  const current = await measureKpi(ctx, rule, ctx.atMs)
  const judged = current.map((m) => ({ m, pre: measurementPrecheck(rule, m) }))
  // The past is read only when some label set has a value to judge.
  const past = judged.some(({ pre }) => pre === undefined) ? await pastValues(ctx, rule) : new Map<string, number[]>()
  return judged.flatMap(({ m, pre }): Sample[] => {
    if (pre !== undefined) return pre === null ? [] : [pre]
    const value = m.value ?? 0
    const values = past.get(keyOf(m.labels)) ?? []
    const band = baselineBand(rule.baseline, values)
    if (band === undefined || band.samples < rule.baseline.minSamples) {
      return [{ labels: m.labels, result: 'unknown', value, reason: `low_baseline_sample (${values.length} < ${rule.baseline.minSamples})` }]
    }
    const breach = outsideBand(rule.direction, value, band)
    return [
      {
        labels: m.labels,
        result: breach ? 'breach' : 'ok',
        value,
        reason: `${rule.kpi} ${value} ${breach ? 'outside' : 'inside'} [${round(band.lower)}, ${round(band.upper)}] (baseline ${round(band.center)} of ${band.samples})`,
        baseline: band,
      },
    ]
  })
}
