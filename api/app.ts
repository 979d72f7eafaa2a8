// The API server, built apart from listening (tests call inject). Issue 3 adds the process
// and KPI resources as plugins; today it answers health and the ingest status.
import { processLogRoutes } from './process-log-routes.ts'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { ErrorCode, errorBody } from '../core/errors.ts'
import type { StoreClient } from '../store/index.ts'
import { storedRowCounts } from '../store/index.ts'

export interface ApiAppDeps {
  readonly store: StoreClient
  readonly logger: Logger
  /** Bytes accepted by the collector but not yet in ClickHouse (embedded mode). */
  readonly spooledBytes?: () => number
}

export async function buildApiApp(deps: ApiAppDeps): Promise<FastifyInstance> {
  // Typed as Fastify's logger so the instance keeps Fastify's default type parameters.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ part: 'api' })
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) })
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(ErrorCode.notFound, `no route ${request.method} ${request.url}`)))
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'api request failed')
    if (status < 500) return reply.code(status).send(errorBody(ErrorCode.badRequest, error.message))
    return reply.code(status).send(errorBody(ErrorCode.internal, 'internal error; see the service log'))
  })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/api/v1/status', async () => ({
    store: deps.store.mode,
    tables: await storedRowCounts(deps.store),
    spooledBytes: deps.spooledBytes?.() ?? null,
  }))
  await app.register(processLogRoutes, { store: deps.store })
  return app
}
