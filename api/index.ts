// The Fastify API: processes, KPIs, instances, integrations (issue 3 onwards).
export { buildApiApp, type ApiAppDeps } from './app.ts'
