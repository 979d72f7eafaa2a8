// POST /v1/events: a JSON batch of business events. Valid events are spooled and
// acknowledged even when others in the batch are invalid; the answer lists each rejected
// event by index with the field at fault. Only a batch with nothing usable is a 400.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../core/config.ts'
import { ErrorCode, errorBody } from '../../core/errors.ts'
import type { LogRow } from '../../store/index.ts'
import { MAX_EVENTS_PER_REQUEST } from '../events/business-event-schema.ts'
import { businessEventRow, type EventRejection } from '../events/business-event-row.ts'
import type { CollectorMetrics } from '../metrics.ts'
import { parseJsonKeepingLongIntegers, validateLogs } from '../otlp/index.ts'
import type { IngestPipeline } from '../pipeline.ts'
import { validationLimits } from './validation-limits.ts'
import { admissionRefusal } from './replies.ts'
import { RequestRefusal } from './refusal.ts'
import { decodeContent, payloadEncoding } from './request-body.ts'

export interface EventsRouteDeps {
  readonly config: Readonly<Config>
  readonly pipeline: IngestPipeline
  readonly metrics: CollectorMetrics
}

function eventsOf(parsed: unknown): unknown[] {
  if (Array.isArray(parsed)) return parsed
  if (typeof parsed === 'object' && parsed !== null && 'events' in parsed && Array.isArray(parsed.events)) return parsed.events
  // Any other object is one event, so an invalid one is reported field by field like any other.
  if (typeof parsed === 'object' && parsed !== null && !('events' in parsed)) return [parsed]
  throw new RequestRefusal(400, ErrorCode.invalidEvent, 'body must be {"events": [...]}, an array of events, or one event object')
}

/** payloadEncoding's own refusal would suggest protobuf, which this route does not take. */
function declaresJson(contentType: string | undefined): boolean {
  try {
    return payloadEncoding(contentType) === 'json'
  } catch {
    return false
  }
}

async function readEvents(body: unknown, headers: Record<string, string | string[] | undefined>, maxBytes: number): Promise<unknown[]> {
  const contentType = headers['content-type'] as string | undefined
  if (!declaresJson(contentType)) {
    const declared = contentType === undefined ? '(missing)' : JSON.stringify(contentType)
    throw new RequestRefusal(415, ErrorCode.unsupportedMediaType, `Content-Type ${declared} is not supported; /v1/events takes application/json`)
  }
  const raw = await decodeContent(Buffer.isBuffer(body) ? body : Buffer.alloc(0), headers['content-encoding'] as string | undefined, maxBytes)
  let parsed: unknown
  try {
    parsed = parseJsonKeepingLongIntegers(new TextDecoder('utf-8', { fatal: true }).decode(raw))
  } catch (error) {
    throw new RequestRefusal(400, ErrorCode.malformedPayload, `body is not valid UTF-8 JSON: ${(error as Error).message}`)
  }
  const events = eventsOf(parsed)
  if (events.length === 0) throw new RequestRefusal(400, ErrorCode.invalidEvent, 'events: must contain at least one event')
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new RequestRefusal(413, ErrorCode.payloadTooLarge, `events: at most ${MAX_EVENTS_PER_REQUEST} events per request`)
  }
  return events
}

export async function eventsRoute(app: FastifyInstance, deps: EventsRouteDeps): Promise<void> {
  const { config, pipeline, metrics } = deps
  app.post('/v1/events', async (request, reply) => {
    const signal = 'logs'
    try {
      const refusedEarly = admissionRefusal(pipeline.admission(signal))
      if (refusedEarly) throw refusedEarly
      const events = await readEvents(request.body, request.headers, config.collector.maxBodyBytes)
      const limits = validationLimits(config, 'logs')
      const rows: LogRow[] = []
      const rejected: EventRejection[] = []
      events.forEach((event, index) => {
        const outcome = businessEventRow(event, index, limits)
        if (outcome.ok) rows.push(outcome.row)
        else rejected.push(outcome.rejection)
      })
      metrics.received.inc({ signal: 'events' }, events.length)
      if (rejected.length > 0) metrics.rejected.inc({ signal: 'events', reason: 'invalid_event' }, rejected.length)
      if (rows.length === 0) {
        const first = rejected.slice(0, 3).map((r) => `events[${r.index}].${r.field}: ${r.message}`)
        return reply.code(400).send({ ...errorBody(ErrorCode.invalidEvent, `no valid event: ${first.join('; ')}`), rejected })
      }
      // The per-record caps of collector.* apply to events as to OTLP log records. Times were
      // checked per event above (with the field named), so nothing here is rejected.
      const { oldestNs: _checkedAbove, ...caps } = limits
      const limited = validateLogs(rows, caps)
      metrics.truncatedValues.inc({ signal: 'events' }, limited.truncatedValues)
      metrics.droppedAttributes.inc({ signal: 'events' }, limited.droppedAttributes)
      const refusal = admissionRefusal(await pipeline.accept(signal, limited.rows, 'events'))
      if (refusal) throw refusal
      return reply.code(200).send({ accepted: limited.rows.length, rejected })
    } catch (error) {
      if (!(error instanceof RequestRefusal)) throw error
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
      return reply.code(error.statusCode).send(errorBody(error.code, error.message))
    }
  })
}
