// The Fastify API: processes, KPIs, instances, integrations (issue 3 onwards).
export { buildApiApp, type ApiAppDeps } from './app.ts'
export { caseSummaryAnswer, processMapAnswer, N_MIN, type CaseSummaryAnswer, type ProcessMapAnswer, type LogQuery } from './process-log-routes.ts'
export { openApiText } from './openapi.ts'
export { rootKeyResolver } from './definition-routes.ts'
export {
  cycleTimeAnswer,
  instanceAnswer,
  kpiContext,
  processSummaryAnswer,
  slaAnswer,
  stuckAnswer,
  type CycleTimeAnswer,
  type InstanceAnswer,
  type KpiContext,
  type KpiQuery,
  type ProcessSummaryAnswer,
  type SlaAnswer,
  type StuckInstancesAnswer,
} from './process-kpi-routes.ts'
export {
  integrationHealthAnswer,
  sourceFreshnessAnswer,
  type IntegrationHealthAnswer,
  type IntegrationHealthQuery,
  type SourceFreshnessAnswer,
} from './integration-routes.ts'
export { pendingSyncsAnswer, syncLagAnswer, type PendingSyncsAnswer, type PendingSyncsQuery, type SyncLagAnswer, type SyncLagQuery } from './sync-lag-routes.ts'
export {
  conformanceAnswer,
  reworkAnswer,
  stagesAnswer,
  throughputAnswer,
  DEFAULT_THROUGHPUT_BUCKET,
  type ConformanceAnswer,
  type ConformanceQuery,
  type ReworkAnswer,
  type ReworkQuery,
  type StagesAnswer,
  type StagesQuery,
  type ThroughputAnswer,
  type ThroughputQuery,
} from './process-analysis-routes.ts'
export { reportContext, type ReportRouteDeps } from './report-routes.ts'
export {
  buildClickHouseHttpApp,
  startClickHouseHttp,
  ClickHouseHttpError,
  type ClickHouseHttpOptions,
  type HttpUser,
  type RunningClickHouseHttp,
} from './clickhouse-http/index.ts'
