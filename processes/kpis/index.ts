// KPI queries: each KPI is one function rendering its SQL, called by the API, the CLI,
// the rules engine and the dashboards alike.
export { caseStatistics, type ActivityCount, type CaseStatistics } from './case-statistics.ts'
export { type KpiQuery } from './kpi-query.ts'
export { processMap, processMapQuery, type ProcessMapEdge } from './process-map.ts'
export {
  DEAD_LETTER_ATTRIBUTE,
  DEFAULT_RETRY_HORIZON_MS,
  ERROR_CLASSES,
  integrationHealth,
  integrationHealthQuery,
  type ErrorClass,
  type IntegrationHealthRow,
  type IntegrationScope,
  type OperationOutcomes,
} from './integration-health.ts'
export { queueBacklog, queueBacklogQuery, type QueueBacklog, type QueueScope } from './queue-backlog.ts'
export { sourceFreshness, sourceFreshnessQuery, SYSTEM_KINDS, type FreshnessScope, type SourceFreshness, type SystemKind } from './source-freshness.ts'
export { instanceEventsCte, memberEventsCte, MEMBER_EVENT_COLUMNS, scopeParams, type LogScope } from './instance-events.ts'
export {
  DEFAULT_MAX_PENDING_AGE_MS,
  DEFAULT_SYNC_HORIZON_MS,
  pendingSyncs,
  pendingSyncsQuery,
  syncLag,
  syncLagQuery,
  type PendingPageRequest,
  type PendingSync,
  type PendingSyncPage,
  type SyncLagPair,
  type SyncLagScope,
} from './sync-lag.ts'
export {
  cycleTime,
  cycleTimeCompletionQuery,
  DEFAULT_LOOKBACK_NS,
  type CycleTime,
  type CycleTimeScope,
  type DurationStats,
  type KmPercentile,
  type KpiWindow,
} from './cycle-time.ts'
export { factsSourceAsOf, instanceFactsCte, ROLLUP_AS_OF_SLACK_MS, type FactsScope, type FactsSource } from './instance-facts.ts'
export type { InstanceFilter } from './instance-filter.ts'
export { rebuildInstanceFacts, refreshInstanceFacts, type FactsRefresh, type FactsRefreshOptions } from './facts-rollup.ts'
export { businessClockSql, clockSql, wallClockSql, type ClockSql } from './business-time.ts'
export {
  expectedSystems,
  stageThresholds,
  stuckInstances,
  stuckInstancesQuery,
  stuckSummaryQuery,
  type StuckInputs,
  type StuckAnswer,
  type StuckInstance,
  type StuckScope,
  type StuckState,
  type SystemWatermark,
  type ValueAtRisk,
} from './stuck.ts'
export { slaAttainment, slaAttainmentPerWindow, slaQuery, type SlaAttainment, type SlaInstance, type SlaScope, type SlaState } from './sla.ts'
export {
  instanceSearchQuery,
  instancesOfKey,
  instanceTimeline,
  type InstanceTimeline,
  type TimelineEvent,
  type TimelineLog,
  type TimelineSpan,
} from './instance-timeline.ts'
export { instanceOutcomes, type InstanceOutcomes } from './instance-outcomes.ts'
export { stageDurations, stageDurationsQuery, type StageDuration, type StageDurations, type StageDurationScope, type StagePair } from './stage-durations.ts'
export {
  MAX_THROUGHPUT_BUCKETS,
  THROUGHPUT_BUCKETS,
  throughput,
  throughputQuery,
  type Throughput,
  type ThroughputBucket,
  type ThroughputBucketSize,
  type ThroughputScope,
} from './throughput.ts'
export { occurrencesCte, rework, type Rework, type ReworkActivity, type ReworkKind, type ReworkScope } from './rework.ts'
export {
  conformance,
  conformanceCountsQuery,
  DEVIATION_KINDS,
  type ActivityDeviations,
  type Conformance,
  type ConformanceScope,
  type Deviation,
  type DeviationCount,
  type DeviationKind,
  type EdgeDeviations,
  type NonConformingInstance,
} from './conformance.ts'
