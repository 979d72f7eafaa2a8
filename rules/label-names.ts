// The label names a rule's alerts carry: its static labels plus what its kind adds per sample.
// Runbook validation checks diagnostic parameters against these.
import type { Rule } from './model.ts'
import { SYNC_KPI_NAMES } from './schema.ts'

const ADDED_BY_KIND: Readonly<Record<Rule['kind'], readonly string[]>> = {
  threshold: [],
  anomaly: [],
  stuck: [],
  sla_breach: ['sla'],
  sla_at_risk: ['sla'],
  absence: ['instance'],
  heartbeat: ['system'],
  sql: [],
}

const SYNC_KPIS: ReadonlySet<string> = new Set(SYNC_KPI_NAMES)

export function ruleLabelNames(rule: Rule): string[] {
  const names = new Set([...Object.keys(rule.labels), ...ADDED_BY_KIND[rule.kind]])
  if (rule.kind === 'threshold' || rule.kind === 'anomaly') {
    if (SYNC_KPIS.has(rule.kpi)) for (const n of ['source_system', 'target_system', 'entity_type']) names.add(n)
    else if (rule.kpi === 'sla_attainment') names.add('sla')
    else for (const n of rule.groupBy) names.add(n)
  }
  return [...names].sort()
}
