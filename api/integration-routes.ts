// Integration (technical) KPIs: per integration, system pair and endpoint the calls, success
// and error rates by class, latency quantiles, retries, operation outcomes and dead letters
// (K6), and the freshness of each source. The answer builders are exported so the CLI prints
// exactly what the API answers.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { formatDuration, parseDuration } from '../core/durations.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { DEFAULT_RETRY_HORIZON_MS, integrationHealth, sourceFreshness, SYSTEM_KINDS, type IntegrationScope, type SystemKind } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { N_MIN } from './process-log-routes.ts'

const SystemName = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 256, description }))

export const IntegrationHealthQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'window start on span start time, RFC 3339, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'window end, RFC 3339, exclusive' })),
    integration: SystemName('only this integration (integration.name)'),
    source_system: SystemName('only this source system (integration.source.system)'),
    target_system: SystemName('only this target system (integration.target.system)'),
    retry_horizon: Type.Optional(
      Type.String({
        description: "how long an operation whose last attempt failed stays in_retry before it counts as failed, e.g. '1h' (default), '15m', 'PT2H'",
      }),
    ),
  },
  { additionalProperties: false },
)

export interface IntegrationHealthQuery {
  readonly from?: string
  readonly to?: string
  readonly integration?: string
  readonly source_system?: string
  readonly target_system?: string
  readonly retry_horizon?: string
}

const badRequest = (message: string): ThroughlineError => new ThroughlineError(ErrorCode.badRequest, message, 400)

function toNs(field: 'from' | 'to', text: string): bigint {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw badRequest(`${field}: must be an RFC 3339 time such as 2026-11-29T00:00:00Z, got ${JSON.stringify(text)}`)
  return BigInt(ms) * 1_000_000n
}

function retryHorizonMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RETRY_HORIZON_MS
  const parsed = parseDuration(text)
  if (!parsed.ok) throw badRequest(`retry_horizon: ${parsed.message}`)
  return parsed.ms
}

/** The KPI scope of a query; throws a 400 ThroughlineError naming the bad field. */
export function integrationScope(query: IntegrationHealthQuery, now: Date): IntegrationScope {
  const fromNs = query.from !== undefined ? toNs('from', query.from) : undefined
  const toNsValue = query.to !== undefined ? toNs('to', query.to) : undefined
  if (fromNs !== undefined && toNsValue !== undefined && toNsValue <= fromNs) throw badRequest(`to: must be after from (${query.from}), got ${query.to}`)
  return {
    ...(fromNs !== undefined ? { fromNs } : {}),
    ...(toNsValue !== undefined ? { toNs: toNsValue } : {}),
    ...(query.integration !== undefined ? { integration: query.integration } : {}),
    ...(query.source_system !== undefined ? { sourceSystem: query.source_system } : {}),
    ...(query.target_system !== undefined ? { targetSystem: query.target_system } : {}),
    retryHorizonMs: retryHorizonMs(query.retry_horizon),
    now,
  }
}

const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const ClassCounts = Type.Object({ client: Type.Integer(), timeout: Type.Integer(), server: Type.Integer(), other: Type.Integer() })
const ClassRates = Type.Object({ client: NullableNumber, timeout: NullableNumber, server: NullableNumber, other: NullableNumber })

const EndpointHealthSchema = Type.Object({
  integration: Type.String(),
  sourceSystem: Type.String(),
  targetSystem: Type.String(),
  endpoint: Type.String({ description: 'the span name' }),
  calls: Type.Integer({ description: 'attempts started in the window' }),
  failedCalls: Type.Integer(),
  successRate: NullableNumber,
  attemptErrorRate: NullableNumber,
  errorsByClass: ClassCounts,
  errorRateByClass: ClassRates,
  latencyMs: Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number(), max: Type.Number() }, { description: 'span duration of every attempt' }),
  operations: Type.Integer({ description: 'distinct operation ids; a span without one is its own operation' }),
  retries: Type.Integer({ description: 'calls - operations' }),
  operationOutcomes: Type.Object({ succeeded: Type.Integer(), recovered: Type.Integer(), failed: Type.Integer(), inRetry: Type.Integer() }),
  operationFailureRate: Type.Union([Type.Number(), Type.Null()], { description: 'failed / (succeeded + failed); in_retry operations are in neither' }),
  deadLetters: Type.Integer(),
  sampleSize: Type.Integer({ description: 'calls: the denominator of the attempt rates and the latency quantiles' }),
  lowSample: Type.Boolean({ description: `true when sampleSize < n_min (${N_MIN})` }),
  operationSampleSize: Type.Integer({ description: 'decided operations (succeeded + failed): the denominator of operationFailureRate' }),
  operationLowSample: Type.Boolean({ description: `true when operationSampleSize < n_min (${N_MIN})` }),
})

/** The answer of /integrations/health: one schema for the response, its type and the OpenAPI document. */
export const IntegrationHealthAnswerSchema = Type.Object({
  window: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
  now: Type.String({ description: 'the time retry horizons are measured to' }),
  retryHorizon: Type.String(),
  quantileMethod: Type.Literal('exact'),
  endpoints: Type.Array(EndpointHealthSchema),
})

export type IntegrationHealthAnswer = Type.Static<typeof IntegrationHealthAnswerSchema>

export async function integrationHealthAnswer(store: StoreConnection, query: IntegrationHealthQuery, now = new Date()): Promise<IntegrationHealthAnswer> {
  const scope = integrationScope(query, now)
  const rows = await integrationHealth(store, scope)
  return {
    window: { from: query.from ?? null, to: query.to ?? null },
    now: now.toISOString(),
    retryHorizon: formatDuration(scope.retryHorizonMs ?? DEFAULT_RETRY_HORIZON_MS),
    quantileMethod: 'exact',
    endpoints: rows.map((row) => {
      const decided = row.operationOutcomes.succeeded + row.operationOutcomes.failed
      return {
        ...row,
        errorsByClass: { ...row.errorsByClass },
        errorRateByClass: { ...row.errorRateByClass },
        latencyMs: { ...row.latencyMs },
        operationOutcomes: { ...row.operationOutcomes },
        sampleSize: row.calls,
        lowSample: row.calls < N_MIN,
        operationSampleSize: decided,
        operationLowSample: decided < N_MIN,
      }
    }),
  }
}

export const SourceFreshnessQuerySchema = Type.Object(
  { kind: Type.Optional(Type.Enum([...SYSTEM_KINDS], { description: 'only systems named this way' })) },
  { additionalProperties: false },
)

export interface SourceFreshnessQuery {
  readonly kind?: SystemKind
}

/** The answer of /sources/freshness. */
export const SourceFreshnessAnswerSchema = Type.Object({
  now: Type.String(),
  sources: Type.Array(
    Type.Object({
      kind: Type.Enum([...SYSTEM_KINDS]),
      system: Type.String(),
      lastSeen: Type.String({ description: 'latest span end or log record time' }),
      ageSeconds: Type.Number({ description: 'now - lastSeen' }),
      lastIngestedAt: Type.String(),
    }),
  ),
})

export type SourceFreshnessAnswer = Type.Static<typeof SourceFreshnessAnswerSchema>

export async function sourceFreshnessAnswer(store: StoreConnection, query: SourceFreshnessQuery, now = new Date()): Promise<SourceFreshnessAnswer> {
  const sources = await sourceFreshness(store, { now, ...(query.kind !== undefined ? { kind: query.kind } : {}) })
  return { now: now.toISOString(), sources: sources.map((s) => ({ ...s })) }
}

export interface IntegrationRoutesDeps {
  readonly store: StoreConnection
}

export async function integrationRoutes(app: FastifyInstance, deps: IntegrationRoutesDeps): Promise<void> {
  app.get<{ Querystring: IntegrationHealthQuery }>(
    '/api/v1/integrations/health',
    {
      schema: {
        querystring: IntegrationHealthQuerySchema,
        tags: ['integrations'],
        summary: 'Calls, error rates by class, latency, retries and operation outcomes per integration endpoint',
        response: { 200: IntegrationHealthAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => integrationHealthAnswer(deps.store, request.query),
  )
  app.get<{ Querystring: SourceFreshnessQuery }>(
    '/api/v1/sources/freshness',
    {
      schema: {
        querystring: SourceFreshnessQuerySchema,
        tags: ['integrations'],
        summary: 'Per system, the last record seen and its age',
        response: { 200: SourceFreshnessAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => sourceFreshnessAnswer(deps.store, request.query),
  )
}
