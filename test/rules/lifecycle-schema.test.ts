// The rule file fields of the lifecycle additions (anomaly, flap_detection, source_late_after):
// defaults filled in, and bad input refused with the field named, as `rules validate` prints it.
import { describe, expect, it } from 'vitest'
import { checkRuleTexts } from '../../rules/index.ts'
import { definitionFrom } from '../processes/kpis/business-events.ts'

const definition = definitionFrom(`
name: orders
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.approved
    system: CRM
  - name: order.closed
    system: FIN
start: [order.approved]
terminal:
  - { milestone: order.closed, outcome: completed }
`)

const check = (rule: string) => checkRuleTexts([{ file: 'alert-rules/x.yaml', text: `group: g\nrules:\n${rule}` }], [definition])

function problems(rule: string): string[] {
  const load = check(rule)
  if (load.ok) throw new Error('expected problems')
  return load.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`)
}

describe('lifecycle fields of alert rules', () => {
  it('fills in the defaults of an anomaly rule, flap detection and source_late_after', () => {
    const load = check(`  - id: a
    kind: anomaly
    kpi: completed
    process: orders
    baseline: { method: ewma, alpha: 0.3 }
    flap_detection: {}
`)
    if (!load.ok) throw new Error(JSON.stringify(load.problems))
    expect(load.rules[0]).toMatchObject({
      kind: 'anomaly',
      direction: 'both',
      windowMs: 15 * 60_000,
      // every: the window; 24 past windows; k 3, min_samples 3.
      baseline: { method: 'ewma', alpha: 0.3, history: 24, everyMs: 15 * 60_000, k: 3, minDeviation: 0, minSamples: 3 },
      flap: { window: 10, high: 50, low: 25 },
      sourceLateAfterMs: 30 * 60_000,
    })
    const seasonal = check(`  - id: s
    kind: anomaly
    kpi: attempt_error_rate
    source_late_after: 0s
    baseline: { method: seasonal }
`)
    if (!seasonal.ok) throw new Error(JSON.stringify(seasonal.problems))
    expect(seasonal.rules[0]).toMatchObject({ baseline: { method: 'seasonal', weeks: 4, center: 'median' }, sourceLateAfterMs: 0 })
  })

  it('names the field of a bad baseline, flap window or duration', () => {
    expect(
      problems(`  - id: a
    kind: anomaly
    kpi: completed
    process: orders
    baseline: { method: weekly }
`),
    ).toEqual([`7: rules[0].baseline.method: must be "seasonal" or "ewma"; it is 'weekly'`])
    expect(
      problems(`  - id: a
    kind: anomaly
    kpi: completed
    process: orders
    baseline: { method: ewma }
`),
    ).toEqual(['7: rules[0].baseline.alpha: is required; weight of the newest past window'])
    // `every` is the EWMA's: a seasonal baseline steps by weeks.
    expect(
      problems(`  - id: a
    kind: anomaly
    kpi: completed
    baseline: { method: seasonal, every: 1h }
`),
    ).toEqual(['6: rules[0].baseline.every: is not a field here'])
    expect(
      problems(`  - id: a
    kind: anomaly
    kpi: completed
    baseline: { method: ewma, alpha: 0.5, every: soon }
`),
    ).toEqual([
      '3: rules[0].process: kpi completed is measured per process: name the process',
      expect.stringMatching(/^6: rules\[0\]\.baseline\.every: 'soon' is not a duration/),
    ])
    expect(
      problems(`  - id: h
    kind: heartbeat
    system: CRM
    silent_for: 1h
    flap_detection: { window: 10, high: 30, low: 40 }
    source_late_after: later
`),
    ).toEqual([
      '7: rules[0].flap_detection.low: must be less than high (30); it is 40',
      expect.stringMatching(/^8: rules\[0\]\.source_late_after: 'later' is not a duration/),
    ])
  })
})
