// KPI queries: each KPI is one function rendering its SQL, called by the API, the CLI,
// the rules engine and the dashboards alike.
export { caseStatistics, type ActivityCount, type CaseStatistics } from './case-statistics.ts'
export { processMap, type ProcessMapEdge } from './process-map.ts'
export { instanceEventsCte, memberEventsCte, MEMBER_EVENT_COLUMNS, scopeParams, type LogScope } from './instance-events.ts'
export { cycleTime, DEFAULT_LOOKBACK_NS, type CycleTime, type CycleTimeScope, type DurationStats, type KmPercentile, type KpiWindow } from './cycle-time.ts'
export { instanceFactsCte, type FactsScope } from './instance-facts.ts'
export { businessClockSql, clockSql, wallClockSql, type ClockSql } from './business-time.ts'
export { stuckInstances, type StuckAnswer, type StuckInstance, type StuckScope, type StuckState, type SystemWatermark, type ValueAtRisk } from './stuck.ts'
export { slaAttainment, type SlaAttainment, type SlaInstance, type SlaScope, type SlaState } from './sla.ts'
