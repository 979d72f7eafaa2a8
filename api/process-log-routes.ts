// Event-log KPIs of a process: instance statistics and the process map (K10), over the
// business events of a window. Each answer carries its window, the quantile method and the
// sample size, and says when the sample is below n_min. The response builders are exported
// so `throughline kpi` prints exactly what the API answers.
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { caseStatistics, processMap, type CaseStatistics, type LogScope, type ProcessMapEdge } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'

/** kpis.md: a ratio or percentile over fewer samples than this is flagged low_sample. */
export const N_MIN = 20

export const LogQuerySchema = Type.Object(
  {
    root_key: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'key type that identifies an instance (default case_id)' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'window start, RFC 3339, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'window end, RFC 3339, exclusive' })),
  },
  { additionalProperties: false },
)

export const ProcessParamsSchema = Type.Object({ process: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }) })

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

export function logScope(process: string, query: LogQuery): { scope: LogScope; window: Window } {
  const scope: LogScope = {
    process,
    rootKey: query.root_key ?? 'case_id',
    ...(query.from !== undefined ? { fromNs: toNs('from', query.from) } : {}),
    ...(query.to !== undefined ? { toNs: toNs('to', query.to) } : {}),
  }
  return { scope, window: { from: query.from ?? null, to: query.to ?? null } }
}

export interface CaseSummaryAnswer extends CaseStatistics {
  readonly process: string
  readonly rootKey: string
  readonly window: Window
  readonly quantileMethod: 'exact'
  readonly sampleSize: number
  readonly lowSample: boolean
}

export async function caseSummaryAnswer(store: StoreConnection, process: string, query: LogQuery): Promise<CaseSummaryAnswer> {
  const { scope, window } = logScope(process, query)
  const stats = await caseStatistics(store, scope)
  return { process, rootKey: scope.rootKey, window, quantileMethod: 'exact', sampleSize: stats.cases, lowSample: stats.cases < N_MIN, ...stats }
}

export interface ProcessMapAnswer {
  readonly process: string
  readonly rootKey: string
  readonly window: Window
  readonly quantileMethod: 'exact'
  readonly edges: ReadonlyArray<ProcessMapEdge & { readonly lowSample: boolean }>
}

export async function processMapAnswer(store: StoreConnection, process: string, query: LogQuery): Promise<ProcessMapAnswer> {
  const { scope, window } = logScope(process, query)
  const edges = await processMap(store, scope)
  return { process, rootKey: scope.rootKey, window, quantileMethod: 'exact', edges: edges.map((e) => ({ ...e, lowSample: e.count < N_MIN })) }
}

export async function processLogRoutes(app: FastifyInstance, deps: { readonly store: StoreConnection }): Promise<void> {
  const schema = { params: ProcessParamsSchema, querystring: LogQuerySchema }
  app.get<{ Params: { process: string }; Querystring: LogQuery }>('/api/v1/processes/:process/cases/summary', { schema }, (request) =>
    caseSummaryAnswer(deps.store, request.params.process, request.query),
  )
  app.get<{ Params: { process: string }; Querystring: LogQuery }>('/api/v1/processes/:process/map', { schema }, (request) =>
    processMapAnswer(deps.store, request.params.process, request.query),
  )
}
