// Queue backlog through the API: per broker destination, the messages sent that no consumer
// has taken yet and the oldest one's wait (processes/kpis/queue-backlog.ts).
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { queueBacklog } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'

const DEFAULT_WINDOW_MS = 24 * 3_600_000

export const QueueQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'messages sent from here on count, RFC 3339 (default: 24 h before as_of)' })),
    as_of: Type.Optional(Type.String({ format: 'date-time', description: 'the backlog at this instant, RFC 3339 (default now)' })),
    system: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'only this messaging.system, e.g. rabbitmq' })),
    destination: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'only this messaging.destination.name' })),
  },
  { additionalProperties: false },
)
export type QueueQuery = Type.Static<typeof QueueQuerySchema>

export const QueueAnswerSchema = Type.Object({
  window: Type.Object({ from: Type.String(), asOf: Type.String() }),
  queues: Type.Array(
    Type.Object({
      system: Type.String(),
      destination: Type.String(),
      sent: Type.Integer(),
      consumed: Type.Integer(),
      backlog: Type.Integer({ description: 'sent in the window, not received or processed by as_of' }),
      oldestWaitingSeconds: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
})
export type QueueAnswer = Type.Static<typeof QueueAnswerSchema>

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n

export async function queueAnswer(store: StoreConnection, query: QueueQuery, nowMs = Date.now()): Promise<QueueAnswer> {
  const asOfMs = query.as_of === undefined ? nowMs : Date.parse(query.as_of)
  const fromMs = query.from === undefined ? asOfMs - DEFAULT_WINDOW_MS : Date.parse(query.from)
  if (!(fromMs < asOfMs))
    throw new ThroughlineError(ErrorCode.badRequest, `from: must be before as_of (${new Date(fromMs).toISOString()} >= ${new Date(asOfMs).toISOString()})`, 400)
  const queues = await queueBacklog(store, { fromNs: ns(fromMs), nowNs: ns(asOfMs), system: query.system, destination: query.destination })
  return { window: { from: new Date(fromMs).toISOString(), asOf: new Date(asOfMs).toISOString() }, queues: queues.map((q) => ({ ...q })) }
}

export async function queueRoutes(app: FastifyInstance, deps: { readonly store: StoreConnection }): Promise<void> {
  app.get<{ Querystring: QueueQuery }>(
    '/api/v1/integrations/queues',
    {
      schema: {
        querystring: QueueQuerySchema,
        tags: ['integrations'],
        summary: 'Queue backlog per broker destination from messaging spans: messages sent not yet consumed, the oldest wait',
        response: { 200: QueueAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => queueAnswer(deps.store, request.query),
  )
}
