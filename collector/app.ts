// The collector's HTTP server, built apart from listening so tests can inject requests:
// OTLP routes, /v1/events, and /healthz, /readyz, /metrics.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../core/config.ts'
import { ErrorCode, errorBody } from '../core/errors.ts'
import { eventsRoute } from './http/events-route.ts'
import { otlpRoutes } from './http/otlp-routes.ts'
import { grpcCodeFor } from './http/refusal.ts'
import { payloadEncoding } from './http/request-body.ts'
import { statusBody } from './http/status-body.ts'
import type { CollectorMetrics } from './metrics.ts'
import type { IngestPipeline } from './pipeline.ts'

export interface CollectorAppDeps {
  readonly config: Readonly<Config>
  readonly pipeline: IngestPipeline
  readonly metrics: CollectorMetrics
  readonly logger: Logger
  /** Readiness of what the collector depends on (the store). */
  readonly ready: () => Promise<boolean>
}

const fastifyErrorCodes: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ErrorCode.payloadTooLarge],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ErrorCode.unsupportedMediaType],
  FST_ERR_CTP_EMPTY_TYPE: [415, ErrorCode.unsupportedMediaType],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, ErrorCode.badRequest],
}

const READY_SPOOL_FILL = 0.9

export async function buildCollectorApp(deps: CollectorAppDeps): Promise<FastifyInstance> {
  const { config, metrics, pipeline } = deps
  // Typed as Fastify's logger so the instance keeps Fastify's default type parameters.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ part: 'collector' })
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.collector.maxBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  })
  // OTLP bodies are decoded by our own decoders, whatever the declared type: take raw
  // bytes for every content type and let the routes answer 415 for the wrong ones.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = fastifyErrorCodes[error.code]
    const clientError = error.statusCode !== undefined && error.statusCode < 500
    const [status, code] = mapped ?? (clientError ? [error.statusCode ?? 400, ErrorCode.badRequest] : [500, ErrorCode.internal])
    if (status >= 500) request.log.error({ err: error }, 'collector request failed')
    const message = status >= 500 ? 'internal error; see the collector log' : error.message
    if (request.url.startsWith('/v1/traces') || request.url.startsWith('/v1/logs')) {
      let encoding: 'protobuf' | 'json' = 'json'
      try {
        encoding = payloadEncoding(request.headers['content-type'])
      } catch {
        // Not a supported media type: the Status goes out as JSON.
      }
      return reply
        .code(status)
        .type(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json')
        .send(statusBody(encoding, grpcCodeFor(status), `${code}: ${message}`))
    }
    return reply.code(status).send({ code, message })
  })
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(ErrorCode.notFound, `no route ${request.method} ${request.url}`)))

  await app.register(otlpRoutes, { config, pipeline, metrics })
  await app.register(eventsRoute, { config, pipeline, metrics })

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    // Not ready when the store is unreachable or the spool is nearly full, so a load
    // balancer sends traffic to another instance before clients meet 429/503.
    const reachable = await deps.ready().catch(() => false)
    const store = !reachable ? 'unavailable' : pipeline.storeFailing ? 'failing_inserts' : 'ok'
    const refused = [pipeline.admission('traces'), pipeline.admission('logs')].find((a) => a.kind !== 'open')
    const admission = refused ?? { kind: 'open' }
    const fill = pipeline.spoolFill
    const intake = admission.kind === 'open' && fill >= READY_SPOOL_FILL ? 'spool_nearly_full' : admission.kind
    const ready = store === 'ok' && intake === 'open'
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', store, intake, spoolFill: Math.round(fill * 1000) / 1000 })
  })
  app.get('/metrics', async (_request, reply) => {
    pipeline.refreshGauges()
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return app
}
