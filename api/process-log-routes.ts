// Event-log KPIs of a process: instance statistics and the process map (K10), over the
// business events of a window. Each answer carries its window, the quantile method and the
// sample size, and says when the sample is below n_min. The response builders are exported
// so `throughline kpi` prints exactly what the API answers.
import { KEY_TYPE_PATTERN } from '../core/semconv.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { caseStatistics, processMap, type LogScope } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'

/** kpis.md: a ratio or percentile over fewer samples than this is flagged low_sample. */
export const N_MIN = 20

export const LogQuerySchema = Type.Object(
  {
    root_key: Type.Optional(
      Type.String({
        pattern: KEY_TYPE_PATTERN.source,
        description: "key type that identifies an instance (default: the definition's root key, else case_id)",
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'window start, RFC 3339, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'window end, RFC 3339, exclusive' })),
  },
  { additionalProperties: false },
)

export const ProcessParamsSchema = Type.Object({ process: Type.String({ pattern: KEY_TYPE_PATTERN.source }) })

export interface LogQuery {
  readonly root_key?: string
  readonly from?: string
  readonly to?: string
}

export interface Window {
  readonly from: string | null
  readonly to: string | null
}

function toNs(field: 'from' | 'to', text: string): bigint {
  const ms = Date.parse(text)
  if (Number.isNaN(ms))
    throw new ThroughlineError(ErrorCode.badRequest, `${field}: must be an RFC 3339 time such as 2026-11-29T00:00:00Z, got ${JSON.stringify(text)}`, 400)
  return BigInt(ms) * 1_000_000n
}

/**
 * Where the traces of a process's instances are read: the facts rollup for a defined process
 * whose rollup the deriver keeps, by its definition's root key (`serve`); the events otherwise.
 */
export type TraceSource = (process: string, rootKey: string) => 'events' | 'rollup'

const FROM_EVENTS: TraceSource = () => 'events'

export function logScope(process: string, query: LogQuery, defaultRootKey = 'case_id', traces: TraceSource = FROM_EVENTS): { scope: LogScope; window: Window } {
  const rootKey = query.root_key ?? defaultRootKey
  const scope: LogScope = {
    process,
    rootKey,
    source: traces(process, rootKey),
    ...(query.from !== undefined ? { fromNs: toNs('from', query.from) } : {}),
    ...(query.to !== undefined ? { toNs: toNs('to', query.to) } : {}),
  }
  return { scope, window: { from: query.from ?? null, to: query.to ?? null } }
}

const WindowSchema = Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) })
const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const ActivityCountSchema = Type.Object({ activity: Type.String(), count: Type.Integer() })

/** The answer of /cases/summary: one schema for the response, its type and the OpenAPI document. */
export const CaseSummaryAnswerSchema = Type.Object({
  process: Type.String(),
  rootKey: Type.String(),
  window: WindowSchema,
  quantileMethod: Type.Literal('exact'),
  sampleSize: Type.Integer({ description: 'instances the quantiles are computed over' }),
  lowSample: Type.Boolean({ description: `true when sampleSize < n_min (${N_MIN})` }),
  cases: Type.Integer(),
  events: Type.Integer(),
  activities: Type.Integer(),
  durationSeconds: Type.Object(
    { min: NullableNumber, p50: NullableNumber, p90: NullableNumber, max: NullableNumber, mean: NullableNumber },
    { description: 'last event - first event of each instance; null without instances' },
  ),
  startActivities: Type.Array(ActivityCountSchema),
  endActivities: Type.Array(ActivityCountSchema),
})

export type CaseSummaryAnswer = Type.Static<typeof CaseSummaryAnswerSchema>

export async function caseSummaryAnswer(
  store: StoreConnection,
  process: string,
  query: LogQuery,
  defaultRootKey?: string,
  traces?: TraceSource,
): Promise<CaseSummaryAnswer> {
  const { scope, window } = logScope(process, query, defaultRootKey, traces)
  const stats = await caseStatistics(store, scope)
  return {
    process,
    rootKey: scope.rootKey,
    window,
    quantileMethod: 'exact',
    sampleSize: stats.cases,
    lowSample: stats.cases < N_MIN,
    cases: stats.cases,
    events: stats.events,
    activities: stats.activities,
    durationSeconds: { ...stats.durationSeconds },
    startActivities: [...stats.startActivities],
    endActivities: [...stats.endActivities],
  }
}

/** The answer of /map (K10): directly-follows edges with counts and gap statistics. */
export const ProcessMapAnswerSchema = Type.Object({
  process: Type.String(),
  rootKey: Type.String(),
  window: WindowSchema,
  quantileMethod: Type.Literal('exact'),
  edges: Type.Array(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      count: Type.Integer(),
      instances: Type.Integer(),
      gapSeconds: Type.Object({ p50: Type.Number(), p95: Type.Number(), mean: Type.Number() }),
      lowSample: Type.Boolean(),
    }),
  ),
})

export type ProcessMapAnswer = Type.Static<typeof ProcessMapAnswerSchema>

export async function processMapAnswer(
  store: StoreConnection,
  process: string,
  query: LogQuery,
  defaultRootKey?: string,
  traces?: TraceSource,
): Promise<ProcessMapAnswer> {
  const { scope, window } = logScope(process, query, defaultRootKey, traces)
  const edges = await processMap(store, scope)
  return { process, rootKey: scope.rootKey, window, quantileMethod: 'exact', edges: edges.map((e) => ({ ...e, lowSample: e.count < N_MIN })) }
}

export interface ProcessLogDeps {
  readonly store: StoreConnection
  /** The root key of a process when the query names none (from its definition). */
  readonly rootKeyOf: (process: string) => string
  /** Where instance traces are read (default: the events). */
  readonly traces?: TraceSource
}

export async function processLogRoutes(app: FastifyInstance, deps: ProcessLogDeps): Promise<void> {
  const input = { params: ProcessParamsSchema, querystring: LogQuerySchema }
  app.get<{ Params: { process: string }; Querystring: LogQuery }>(
    '/api/v1/processes/:process/cases/summary',
    {
      schema: {
        ...input,
        tags: ['processes'],
        summary: 'Instances, events, start and end activities and duration quantiles of a process',
        response: { 200: CaseSummaryAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => caseSummaryAnswer(deps.store, request.params.process, request.query, deps.rootKeyOf(request.params.process), deps.traces),
  )
  app.get<{ Params: { process: string }; Querystring: LogQuery }>(
    '/api/v1/processes/:process/map',
    {
      schema: {
        ...input,
        tags: ['processes'],
        summary: 'The process map (K10): directly-follows edges with counts and gaps',
        response: { 200: ProcessMapAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => processMapAnswer(deps.store, request.params.process, request.query, deps.rootKeyOf(request.params.process), deps.traces),
  )
}
