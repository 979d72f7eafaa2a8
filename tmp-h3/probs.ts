import { checkRuleTexts } from '/work/main/rules/index.ts'
import { definitionFrom } from '/work/main/test/processes/kpis/business-events.ts'
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
for (const r of [`  - id: a
    kind: anomaly
    kpi: completed
    process: orders
    baseline: { method: ewma }
`, `  - id: a
    kind: anomaly
    kpi: completed
    baseline: { method: seasonal, every: 1h }
`, `  - id: a
    kind: anomaly
    kpi: completed
    baseline: { method: ewma, alpha: 0.5, every: soon }
`, `  - id: h
    kind: heartbeat
    system: CRM
    silent_for: 1h
    flap_detection: { window: 10, high: 30, low: 40 }
    source_late_after: later
`]) { const l = check(r); console.log(l.ok ? 'OK' : l.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`)) }
