// Data-sync lag (K7) of the integrations: per (source system, target system, entity type) the
// lag quantiles, coalesced and pending counts, and the pending (missing_sync) changes page by
// page. The answer builders are exported so the CLI prints exactly what the API answers.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { formatDuration, parseDuration } from '../core/durations.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { DEFAULT_MAX_PENDING_AGE_MS, DEFAULT_SYNC_HORIZON_MS, pendingSyncs, syncLag, type SyncLagScope } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { N_MIN } from './process-log-routes.ts'

/** The window when the query gives no `from`: the day before `to`. */
const DEFAULT_WINDOW_MS = 24 * 3_600_000
/** The horizon bounds the scan around the window; longer than a week is refused. */
const MAX_HORIZON_MS = 7 * 24 * 3_600_000
const MAX_PAGE = 1_000
// DateTime64(9) covers 1900-01-01 to 2262-04-11; outside it the bounds would overflow Int64 ns.
const EARLIEST_MS = Date.parse('1900-01-01T00:00:00Z')
const LATEST_MS = Date.parse('2262-04-11T00:00:00Z')

const Name = (what: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: `only this ${what}` }))

const filterProperties = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'window start on the change time, RFC 3339, inclusive (default: to - 24h)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'window end, RFC 3339, exclusive (default: now)' })),
  source_system: Name('source system'),
  target_system: Name('target system'),
  entity_type: Name('entity type (sync.entity.type)'),
  max_pending_age: Type.Optional(Type.String({ description: "L_max: an unmatched change older than this is pending, e.g. '15m' (default)" })),
  horizon: Type.Optional(Type.String({ description: "how far around the window spans are looked for, e.g. '24h' (default), at most '7d'" })),
}

export const SyncLagQuerySchema = Type.Object(filterProperties, { additionalProperties: false })

export const PendingSyncsQuerySchema = Type.Object(
  {
    ...filterProperties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100, description: 'changes per page' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'changes to skip' })),
  },
  { additionalProperties: false },
)

export interface SyncLagQuery {
  readonly from?: string
  readonly to?: string
  readonly source_system?: string
  readonly target_system?: string
  readonly entity_type?: string
  readonly max_pending_age?: string
  readonly horizon?: string
}

export interface PendingSyncsQuery extends SyncLagQuery {
  readonly limit?: number
  readonly offset?: number
}

const badRequest = (message: string): ThroughlineError => new ThroughlineError(ErrorCode.badRequest, message, 400)

function timeMs(field: 'from' | 'to', text: string): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw badRequest(`${field}: must be an RFC 3339 time such as 2026-11-29T00:00:00Z, got ${JSON.stringify(text)}`)
  if (ms < EARLIEST_MS || ms >= LATEST_MS) throw badRequest(`${field}: must be between 1900-01-01 and 2262-04-11, got ${JSON.stringify(text)}`)
  return ms
}

function durationMsOf(field: 'max_pending_age' | 'horizon', text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const parsed = parseDuration(text)
  if (!parsed.ok) throw badRequest(`${field}: ${parsed.message}`)
  return parsed.ms
}

const nsOf = (ms: number): bigint => BigInt(ms) * 1_000_000n

interface ResolvedQuery {
  readonly scope: SyncLagScope
  readonly window: { readonly from: string; readonly to: string }
  readonly settings: { readonly now: string; readonly maxPendingAge: string; readonly horizon: string }
}

/** Checks the query and fills in its defaults; throws a 400 naming the field at fault. */
export function syncLagScope(query: SyncLagQuery, now: Date): ResolvedQuery {
  const nowMs = now.getTime()
  const toMs = query.to === undefined ? nowMs : timeMs('to', query.to)
  const fromMs = query.from === undefined ? toMs - DEFAULT_WINDOW_MS : timeMs('from', query.from)
  if (fromMs >= toMs) throw badRequest(`from: must be before to (${new Date(toMs).toISOString()}), got ${new Date(fromMs).toISOString()}`)
  const maxPendingAgeMs = durationMsOf('max_pending_age', query.max_pending_age, DEFAULT_MAX_PENDING_AGE_MS)
  const horizonMs = durationMsOf('horizon', query.horizon, DEFAULT_SYNC_HORIZON_MS)
  if (horizonMs > MAX_HORIZON_MS) throw badRequest(`horizon: must be at most ${formatDuration(MAX_HORIZON_MS)}, got ${JSON.stringify(query.horizon)}`)
  const scope: SyncLagScope = {
    fromNs: nsOf(fromMs),
    toNs: nsOf(toMs),
    nowNs: nsOf(nowMs),
    maxPendingAgeMs,
    horizonMs,
    ...(query.source_system !== undefined ? { sourceSystem: query.source_system } : {}),
    ...(query.target_system !== undefined ? { targetSystem: query.target_system } : {}),
    ...(query.entity_type !== undefined ? { entityType: query.entity_type } : {}),
  }
  return {
    scope,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    settings: { now: now.toISOString(), maxPendingAge: formatDuration(maxPendingAgeMs), horizon: formatDuration(horizonMs) },
  }
}

const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const answerHead = {
  window: Type.Object({ from: Type.String(), to: Type.String() }, { description: 'half-open [from, to) on the change time' }),
  now: Type.String({ description: 'the time ages are measured at' }),
  maxPendingAge: Type.String({ description: 'L_max' }),
  horizon: Type.String(),
}

/** The answer of /integrations/sync-lag: one schema for the response, its type and the OpenAPI document. */
export const SyncLagAnswerSchema = Type.Object({
  ...answerHead,
  quantileMethod: Type.Literal('exact'),
  pairs: Type.Array(
    Type.Object({
      sourceSystem: Type.String(),
      targetSystem: Type.String(),
      entityType: Type.String(),
      changes: Type.Integer({ description: 'changes in the window expected at the target (echoes left out)' }),
      matched: Type.Integer(),
      coalesced: Type.Integer({ description: 'matched changes whose apply also applied another change' }),
      pending: Type.Integer({ description: 'unmatched and older than maxPendingAge (missing_sync)' }),
      inFlight: Type.Integer({ description: 'unmatched, not yet older than maxPendingAge' }),
      echoes: Type.Integer({ description: 'changes that echo back what the source applied; excluded' }),
      sampleSize: Type.Integer({ description: 'matched changes the quantiles are computed over' }),
      lowSample: Type.Boolean({ description: `true when sampleSize < n_min (${N_MIN})` }),
      lagSeconds: Type.Object(
        { p50: NullableNumber, p95: NullableNumber, max: NullableNumber },
        { description: 'max(0, apply end - change time); null without a match' },
      ),
      replicationLagSeconds: Type.Union([Type.Number(), Type.Null()], { description: 'now - oldest unmatched change; null when none' }),
      freshnessSeconds: Type.Union([Type.Number(), Type.Null()], { description: 'now - newest matched change; null when none' }),
    }),
  ),
})

export type SyncLagAnswer = Type.Static<typeof SyncLagAnswerSchema>

export async function syncLagAnswer(store: StoreConnection, query: SyncLagQuery, now: Date = new Date()): Promise<SyncLagAnswer> {
  const { scope, window, settings } = syncLagScope(query, now)
  const pairs = await syncLag(store, scope)
  return {
    window,
    ...settings,
    quantileMethod: 'exact',
    pairs: pairs.map((p) => ({ ...p, lagSeconds: { ...p.lagSeconds }, sampleSize: p.matched, lowSample: p.matched < N_MIN })),
  }
}

/** The answer of /integrations/sync-lag/pending: the missing_sync changes, oldest first. */
export const PendingSyncsAnswerSchema = Type.Object({
  ...answerHead,
  total: Type.Integer({ description: 'pending changes matching the query, on every page' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  pending: Type.Array(
    Type.Object({
      status: Type.Literal('missing_sync'),
      sourceSystem: Type.String(),
      targetSystem: Type.String(),
      entityType: Type.String(),
      entityId: Type.String(),
      version: Type.Integer(),
      changeTime: Type.String({ description: 'RFC 3339, millisecond precision' }),
      ageSeconds: Type.Number(),
    }),
  ),
})

export type PendingSyncsAnswer = Type.Static<typeof PendingSyncsAnswerSchema>

function pageField(field: 'limit' | 'offset', value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min || value > max) throw badRequest(`${field}: must be an integer from ${min} to ${max}, got ${value}`)
  return value
}

export async function pendingSyncsAnswer(store: StoreConnection, query: PendingSyncsQuery, now: Date = new Date()): Promise<PendingSyncsAnswer> {
  const { scope, window, settings } = syncLagScope(query, now)
  const limit = pageField('limit', query.limit, 100, 1, MAX_PAGE)
  const offset = pageField('offset', query.offset, 0, 0, Number.MAX_SAFE_INTEGER)
  const page = await pendingSyncs(store, scope, { limit, offset })
  return {
    window,
    ...settings,
    total: page.total,
    limit,
    offset,
    pending: page.pending.map(({ changeTimeNs, ...change }) => ({
      status: 'missing_sync',
      ...change,
      changeTime: new Date(Number(BigInt(changeTimeNs) / 1_000_000n)).toISOString(),
    })),
  }
}

export interface SyncLagDeps {
  readonly store: StoreConnection
  /** The clock ages are measured by (tests fix it). */
  readonly now?: () => Date
}

export async function syncLagRoutes(app: FastifyInstance, deps: SyncLagDeps): Promise<void> {
  const now = deps.now ?? (() => new Date())
  app.get<{ Querystring: SyncLagQuery }>(
    '/api/v1/integrations/sync-lag',
    {
      schema: {
        querystring: SyncLagQuerySchema,
        tags: ['integrations'],
        summary: 'Data-sync lag (K7) per source system, target system and entity type',
        response: { 200: SyncLagAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => syncLagAnswer(deps.store, request.query, now()),
  )
  app.get<{ Querystring: PendingSyncsQuery }>(
    '/api/v1/integrations/sync-lag/pending',
    {
      schema: {
        querystring: PendingSyncsQuerySchema,
        tags: ['integrations'],
        summary: 'Changes not applied at their target within max_pending_age (missing_sync), oldest first',
        response: { 200: PendingSyncsAnswerSchema, 400: ErrorBodySchema },
      },
    },
    (request) => pendingSyncsAnswer(deps.store, request.query, now()),
  )
}
