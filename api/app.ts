// The API server, built apart from listening (tests call inject): health, ingest status and
// the process KPI plugins, described by OpenAPI at /docs. Errors are one JSON shape.
import type { FactsSource, ProcessDefinition } from '../processes/index.ts'
import type { Rule, RuleRun } from '../rules/index.ts'
import type { Runbook } from '../triage/index.ts'
import { runbookRoutes } from './runbook-routes.ts'
import { definitionRoutes, rootKeyResolver } from './definition-routes.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alertRoutes } from './alert-routes.ts'
import { reportRoutes } from './report-routes.ts'
import { importRoutes } from './import-routes.ts'
import { integrationRoutes } from './integration-routes.ts'
import { queueRoutes } from './queue-routes.ts'
import { processKpiRoutes } from './process-kpi-routes.ts'
import { processAnalysisRoutes } from './process-analysis-routes.ts'
import { syncLagRoutes } from './sync-lag-routes.ts'
import { registerOpenApi } from './openapi.ts'
import { processLogRoutes, type TraceSource } from './process-log-routes.ts'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { ErrorCode, errorBody, ThroughlineError } from '../core/errors.ts'
import type { StoreClient } from '../store/index.ts'
import { storedRowCounts } from '../store/index.ts'

/** The API's own version (the /api/v1 contract), not the package's. */
export const API_VERSION = '1.0.0'

export interface ApiAppDeps {
  readonly store: StoreClient
  readonly logger: Logger
  /** Bytes accepted by the collector but not yet in ClickHouse (embedded mode). */
  readonly spooledBytes?: () => number
  /** Where uploaded event logs are staged while they are imported (default: the OS temp dir). */
  readonly importStagingDir?: string
  /** The process definitions loaded at start (none: imported logs keyed by case_id). */
  readonly definitions?: readonly ProcessDefinition[]
  /** The alert rules loaded at start, and the engine's last run of each when it runs here. */
  readonly rules?: readonly Rule[]
  readonly lastRuleRuns?: () => ReadonlyMap<string, RuleRun>
  /** The runbooks loaded at start, served rendered. */
  readonly runbooks?: readonly Runbook[]
  /** The API as people reach it, for links in incident reports (default: relative links). */
  readonly publicUrl?: string
  /**
   * 'rollup' where a deriver keeps the facts rollup (serve): the instance KPIs "as of now" read
   * one row per instance (ADR 0005). Default: recomputed from the events.
   */
  readonly facts?: FactsSource
}

/** Largest event log the import route takes: imports stream, so this only guards the disk. */
const MAX_IMPORT_BYTES = 4 * 1024 ** 3

export async function buildApiApp(deps: ApiAppDeps): Promise<FastifyInstance> {
  // Typed as Fastify's logger so the instance keeps Fastify's default type parameters.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ part: 'api' })
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) })
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(ErrorCode.notFound, `no route ${request.method} ${request.url}`)))
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'api request failed')
    // Our own errors keep their code; Fastify's validation errors are TL_BAD_REQUEST.
    const code = error instanceof ThroughlineError ? error.code : ErrorCode.badRequest
    if (status < 500) return reply.code(status).send(errorBody(code, error.message))
    return reply.code(status).send(errorBody(ErrorCode.internal, 'internal error; see the service log'))
  })
  await registerOpenApi(app, API_VERSION)
  app.get('/healthz', { schema: { tags: ['service'], summary: 'Liveness' } }, async () => ({ status: 'ok' }))
  app.get('/api/v1/status', { schema: { tags: ['service'], summary: 'Rows stored per table and bytes still in the spool' } }, async () => ({
    store: deps.store.mode,
    tables: await storedRowCounts(deps.store),
    spooledBytes: deps.spooledBytes?.() ?? null,
  }))
  const definitions = deps.definitions ?? []
  const facts = deps.facts !== undefined ? { facts: deps.facts } : {}
  await app.register(definitionRoutes, { definitions })
  // With a kept rollup, a defined process's traces come from it (by its definition's root key).
  const traces: TraceSource = (process, rootKey) =>
    deps.facts === 'rollup' && definitions.some((d) => d.name === process && d.rootKey === rootKey) ? 'rollup' : 'events'
  await app.register(processLogRoutes, { store: deps.store, rootKeyOf: rootKeyResolver(definitions), traces })
  await app.register(processKpiRoutes, { store: deps.store, definitions, ...facts })
  await app.register(processAnalysisRoutes, { store: deps.store, definitions, ...facts })
  await app.register(integrationRoutes, { store: deps.store })
  await app.register(queueRoutes, { store: deps.store })
  await app.register(syncLagRoutes, { store: deps.store })
  await app.register(runbookRoutes, { runbooks: deps.runbooks ?? [] })
  await app.register(alertRoutes, {
    store: deps.store,
    rules: deps.rules ?? [],
    runbooks: deps.runbooks ?? [],
    ...(deps.lastRuleRuns !== undefined ? { lastRuns: deps.lastRuleRuns } : {}),
  })
  await app.register(reportRoutes, {
    store: deps.store,
    rules: deps.rules ?? [],
    definitions,
    runbooks: deps.runbooks ?? [],
    baseUrl: deps.publicUrl ?? '',
  })
  await app.register(importRoutes, {
    store: deps.store,
    stagingDir: deps.importStagingDir ?? join(tmpdir(), 'throughline-imports'),
    maxBytes: MAX_IMPORT_BYTES,
    definitions,
  })
  await app.ready()
  return app
}
