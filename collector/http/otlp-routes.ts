// POST /v1/traces and /v1/logs as the OTLP/HTTP specification describes them: protobuf or
// JSON, compressed or not; 200 with an Export*ServiceResponse (partial_success when some
// records were refused) once the accepted rows are fsync'ed; 429/503 with Retry-After when
// the spool is full; 4xx with a google.rpc.Status for requests that cannot be used at all.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../core/config.ts'
import { ErrorCode } from '../../core/errors.ts'
import { decoderFor, encodeExportResponse } from '../otlp/index.ts'
import { validationLimits } from './validation-limits.ts'
import type { CollectorMetrics } from '../metrics.ts'
import type { IngestPipeline } from '../pipeline.ts'
import type { Signal } from '../signal.ts'
import { RequestRefusal } from './refusal.ts'
import { decodeContent, payloadEncoding, type PayloadEncoding } from './request-body.ts'
import { admissionRefusal, sendRefusal } from './replies.ts'

export interface OtlpRouteDeps {
  readonly config: Readonly<Config>
  readonly pipeline: IngestPipeline
  readonly metrics: CollectorMetrics
}

const routes: ReadonlyArray<readonly [Signal, string]> = [
  ['traces', '/v1/traces'],
  ['logs', '/v1/logs'],
]

export async function otlpRoutes(app: FastifyInstance, deps: OtlpRouteDeps): Promise<void> {
  for (const [signal, url] of routes) {
    app.route({
      method: 'POST',
      url,
      // Refuse before the body is read: a full spool must not cost memory.
      onRequest: async (request, reply) => {
        const declared = Number(request.headers['content-length'] ?? 0)
        const refusal = admissionRefusal(deps.pipeline.admission(signal, Number.isFinite(declared) ? declared : 0))
        if (refusal) {
          deps.metrics.requests.inc({ signal, status: String(refusal.statusCode) })
          return sendRefusal(reply, encodingOrJson(request), refusal)
        }
      },
      handler: (request, reply) => handleExport(signal, request, reply, deps),
    })
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: async (request, reply) => {
        reply.header('allow', 'POST')
        return sendRefusal(
          reply,
          encodingOrJson(request),
          new RequestRefusal(405, ErrorCode.badRequest, `${request.method} is not allowed on ${url}; use POST`),
        )
      },
    })
  }
}

function encodingOrJson(request: FastifyRequest): PayloadEncoding {
  try {
    return payloadEncoding(request.headers['content-type'])
  } catch {
    return 'json'
  }
}

async function handleExport(signal: Signal, request: FastifyRequest, reply: FastifyReply, deps: OtlpRouteDeps): Promise<FastifyReply> {
  const { config, pipeline, metrics } = deps
  let encoding: PayloadEncoding = 'json'
  try {
    encoding = payloadEncoding(request.headers['content-type'])
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    const body = await decodeContent(raw, request.headers['content-encoding'], config.collector.maxBodyBytes)
    const decoded = decoderFor(signal, encoding)(body, validationLimits(config, signal))
    if (!decoded.ok) throw new RequestRefusal(400, ErrorCode.malformedPayload, `${decoded.reason}: ${decoded.message}`)
    const received = decoded.rows.length + decoded.rejected.count
    metrics.received.inc({ signal }, received)
    for (const [reason, count] of Object.entries(decoded.rejected.byReason)) metrics.rejected.inc({ signal, reason }, count)
    metrics.truncatedValues.inc({ signal }, decoded.truncatedValues)
    metrics.droppedAttributes.inc({ signal }, decoded.droppedAttributes)
    const admission = await pipeline.accept(signal, decoded.rows)
    const refusal = admissionRefusal(admission)
    if (refusal) throw refusal
    metrics.requests.inc({ signal, status: '200' })
    const response = encodeExportResponse(signal, encoding, decoded.rejected.count, decoded.rejected.message)
    return reply
      .code(200)
      .type(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json')
      .send(response)
  } catch (error) {
    if (error instanceof RequestRefusal) {
      metrics.requests.inc({ signal, status: String(error.statusCode) })
      return sendRefusal(reply, encoding, error)
    }
    throw error
  }
}
