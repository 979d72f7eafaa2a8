// The Fastify API: processes, KPIs, instances, integrations (issue 3 onwards).
export { buildApiApp, type ApiAppDeps } from './app.ts'
export { caseSummaryAnswer, processMapAnswer, N_MIN, type CaseSummaryAnswer, type ProcessMapAnswer, type LogQuery } from './process-log-routes.ts'
export { openApiText } from './openapi.ts'
export { rootKeyResolver } from './definition-routes.ts'
