// The instance KPIs of a defined process: cycle time (K1), stuck instances with value at risk
// (K4), SLA attainment (K5), and one instance's timeline found by any of its keys. Each answer
// carries its window, the instant it was computed for (as_of), the quantile method and its
// sample sizes. The answer builders are exported so `throughline kpi` prints the same thing.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { KEY_TYPE_PATTERN, TenantAttr } from '../core/semconv.ts'
import {
  cycleTime,
  factsSourceAsOf,
  instanceOutcomes,
  instancesOfKey,
  instanceTimeline,
  slaAttainment,
  stuckInstances,
  type CycleTime,
  type FactsSource,
  type InstanceFilter,
  type InstanceTimeline,
  type ProcessDefinition,
  type SlaAttainment,
  type StuckAnswer,
} from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { ProcessParamsSchema } from './process-log-routes.ts'

const DAY_MS = 86_400_000
const DEFAULT_WINDOW_DAYS = 30

export const KpiQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'window start, RFC 3339, inclusive (default: to - 30 days)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'window end, RFC 3339, exclusive (default: as_of)' })),
    as_of: Type.Optional(Type.String({ format: 'date-time', description: 'the instant "now" means: ages, open instances, censoring (default: now)' })),
    clock: Type.Optional(Type.Union([Type.Literal('wall'), Type.Literal('business')], { description: 'durations on the wall clock or the business calendar' })),
    sla: Type.Optional(Type.String({ minLength: 1, description: 'one SLA by name (default: all)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'instances listed (default 100)' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, description: 'instances skipped' })),
    version: Type.Optional(Type.String({ minLength: 1, description: 'only instances whose latest event carries this definition version' })),
    tenant: Type.Optional(Type.String({ minLength: 1, description: 'only instances whose latest tenant.id is this (the same as attr=tenant.id=...)' })),
    attr: Type.Optional(
      Type.Array(Type.String({ pattern: '^[^=]+=.*$' }), {
        description: "only instances whose attribute's latest value is this: name=value, repeatable (e.g. attr=region=EU&attr=customer_tier=gold)",
      }),
    ),
  },
  { additionalProperties: false },
)

export type KpiQuery = Type.Static<typeof KpiQuerySchema>

export interface KpiContext {
  readonly definition: ProcessDefinition
  readonly fromMs: number
  readonly toMs: number
  readonly asOfMs: number
  /** Where the instance facts come from: the rollup answers only "as of now" (ADR 0005). */
  readonly facts: FactsSource
  /** version, tenant and attr: which instances count; undefined for all. */
  readonly filter: InstanceFilter | undefined
}

/** The instance filter of version, tenant and attr=name=value (the schema checked their shape). */
function instanceFilterOf(query: KpiQuery): InstanceFilter | undefined {
  const attributes: Record<string, string> = {}
  for (const pair of query.attr ?? []) {
    const at = pair.indexOf('=')
    const name = pair.slice(0, at)
    if (name in attributes) throw new ThroughlineError(ErrorCode.badRequest, `attr: ${JSON.stringify(name)} is given twice`, 400)
    attributes[name] = pair.slice(at + 1)
  }
  if (query.tenant !== undefined) {
    if (TenantAttr.id in attributes) throw new ThroughlineError(ErrorCode.badRequest, `tenant: also given as attr=${TenantAttr.id}=...`, 400)
    attributes[TenantAttr.id] = query.tenant
  }
  const hasAttributes = Object.keys(attributes).length > 0
  if (query.version === undefined && !hasAttributes) return undefined
  return { ...(query.version !== undefined ? { version: query.version } : {}), ...(hasAttributes ? { attributes } : {}) }
}

export interface KpiContextOptions {
  readonly now?: number
  /** The rollup when the service keeps it (serve); used only when as_of is now. */
  readonly facts?: FactsSource
}

const WindowSchema = Type.Object({ from: Type.String(), to: Type.String(), asOf: Type.String() })

function instant(field: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const ms = Date.parse(text)
  if (Number.isNaN(ms))
    throw new ThroughlineError(ErrorCode.badRequest, `${field}: must be an RFC 3339 time such as 2026-11-29T00:00:00Z, got ${JSON.stringify(text)}`, 400)
  return ms
}

export function kpiContext(definitions: ReadonlyMap<string, ProcessDefinition>, process: string, query: KpiQuery, options: KpiContextOptions = {}): KpiContext {
  const now = options.now ?? Date.now()
  const definition = definitions.get(process)
  if (definition === undefined) throw new ThroughlineError(ErrorCode.notFound, `process: no definition named ${JSON.stringify(process)} in processesDir`, 404)
  const asOfMs = instant('as_of', query.as_of, now)
  const toMs = instant('to', query.to, asOfMs)
  const fromMs = instant('from', query.from, toMs - DEFAULT_WINDOW_DAYS * DAY_MS)
  if (!(fromMs < toMs))
    throw new ThroughlineError(ErrorCode.badRequest, `from: must be before to (${new Date(fromMs).toISOString()} >= ${new Date(toMs).toISOString()})`, 400)
  const facts = factsSourceAsOf(options.facts, asOfMs, now)
  return { definition, fromMs, toMs, asOfMs, facts, filter: instanceFilterOf(query) }
}

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const windowOf = (c: KpiContext) => ({ from: new Date(c.fromMs).toISOString(), to: new Date(c.toMs).toISOString(), asOf: new Date(c.asOfMs).toISOString() })

const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const KmPercentileSchema = Type.Union([
  Type.Null(),
  Type.Object({ reached: Type.Literal(true), seconds: Type.Number() }),
  Type.Object({ reached: Type.Literal(false), atLeastSeconds: Type.Number() }, { description: 'not reached: at least the longest time observed' }),
])

export const CycleTimeAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  clock: Type.Union([Type.Literal('wall'), Type.Literal('business')]),
  quantileMethod: Type.Literal('exact'),
  completion: Type.Object(
    {
      count: Type.Integer(),
      lowSample: Type.Boolean(),
      mean: NullableNumber,
      p50: NullableNumber,
      p90: NullableNumber,
      p95: NullableNumber,
      p99: NullableNumber,
      leftCensored: Type.Integer({ description: 'completed in the window without a start seen' }),
      cancelled: Type.Integer(),
      failed: Type.Integer(),
    },
    { description: 'instances that completed in the window; seconds' },
  ),
  start: Type.Object(
    {
      started: Type.Integer(),
      completed: Type.Integer(),
      censored: Type.Integer({ description: 'still open: right-censored at as_of - start' }),
      cancelled: Type.Integer(),
      failed: Type.Integer(),
      lowSample: Type.Boolean(),
      method: Type.Literal('kaplan-meier'),
      percentiles: Type.Object({ p50: KmPercentileSchema, p90: KmPercentileSchema, p95: KmPercentileSchema }),
    },
    { description: 'instances that started in the window' },
  ),
})
export type CycleTimeAnswer = Type.Static<typeof CycleTimeAnswerSchema>

export async function cycleTimeAnswer(store: StoreConnection, c: KpiContext, clock: 'wall' | 'business' = 'wall'): Promise<CycleTimeAnswer> {
  const result: CycleTime = await cycleTime(store, {
    definition: c.definition,
    window: { fromNs: ns(c.fromMs), toNs: ns(c.toMs) },
    nowNs: ns(c.asOfMs),
    clock,
    facts: c.facts,
    filter: c.filter,
  })
  const nMin = c.definition.nMin
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    clock,
    quantileMethod: 'exact',
    completion: { ...result.completion, lowSample: result.completion.count < nMin },
    start: {
      ...result.start,
      lowSample: result.start.started < nMin,
      method: 'kaplan-meier',
      percentiles: { ...result.start.percentiles },
    },
  }
}

const ValueAtRiskSchema = Type.Object({ currency: Type.String(), amount: Type.Number(), instances: Type.Integer() })

export const StuckAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  stuck: Type.Integer(),
  unknownLateData: Type.Integer({ description: 'idle past the threshold, but the system expected next is itself late: not called stuck' }),
  oldestAgeSeconds: NullableNumber,
  valueAtRisk: Type.Array(ValueAtRiskSchema),
  thresholds: Type.Record(Type.String(), Type.Number(), { description: 'stage (last milestone) -> threshold in seconds' }),
  systems: Type.Array(Type.Object({ system: Type.String(), lastSeen: Type.Union([Type.String(), Type.Null()]), late: Type.Boolean() })),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  instances: Type.Array(
    Type.Object({
      instance: Type.String(),
      keys: Type.Array(Type.String()),
      state: Type.Union([Type.Literal('stuck'), Type.Literal('unknown_late_data')]),
      lastMilestone: Type.String(),
      lastSystem: Type.String(),
      expectedSystem: Type.String(),
      ageSeconds: Type.Number(),
      thresholdSeconds: Type.Number(),
      stuckSince: Type.String({ description: 'when it became stuck: its last progress plus the threshold, on the stage clock' }),
      value: NullableNumber,
      currency: Type.String(),
    }),
  ),
})
export type StuckInstancesAnswer = Type.Static<typeof StuckAnswerSchema>

export async function stuckAnswer(store: StoreConnection, c: KpiContext, limit = 100, offset = 0): Promise<StuckInstancesAnswer> {
  const result: StuckAnswer = await stuckInstances(store, { definition: c.definition, nowNs: ns(c.asOfMs), limit, offset, facts: c.facts, filter: c.filter })
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    ...result,
    valueAtRisk: [...result.valueAtRisk],
    thresholds: { ...result.thresholds },
    systems: [...result.systems],
    limit,
    offset,
    instances: result.instances.map((i) => ({ ...i, keys: [...i.keys] })),
  }
}

export const SlaAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  cohort: Type.Literal('deadline', { description: 'instances whose deadline falls in the window' }),
  slas: Type.Array(
    Type.Object({
      sla: Type.String(),
      clock: Type.Union([Type.Literal('wall'), Type.Literal('business')]),
      due: Type.Integer(),
      met: Type.Integer(),
      breached: Type.Integer(),
      pending: Type.Integer(),
      attainment: NullableNumber,
      lowSample: Type.Boolean(),
      atRisk: Type.Integer(),
      breachedOpen: Type.Integer(),
      instances: Type.Array(
        Type.Object({
          instance: Type.String(),
          state: Type.String(),
          start: Type.String(),
          deadline: Type.String(),
          reached: Type.Union([Type.String(), Type.Null()]),
          targetSeconds: Type.Number(),
          value: NullableNumber,
        }),
      ),
    }),
  ),
})
export type SlaAnswer = Type.Static<typeof SlaAnswerSchema>

export async function slaAnswer(store: StoreConnection, c: KpiContext, only?: string, limit = 100): Promise<SlaAnswer> {
  if (only !== undefined && !c.definition.slas.some((s) => s.name === only)) {
    const names = c.definition.slas.map((s) => s.name).join(', ') || '(none)'
    throw new ThroughlineError(ErrorCode.badRequest, `sla: ${c.definition.name} has no SLA named ${JSON.stringify(only)}; it has ${names}`, 400)
  }
  const slas: SlaAttainment[] = await slaAttainment(
    store,
    { definition: c.definition, window: { fromNs: ns(c.fromMs), toNs: ns(c.toMs) }, nowNs: ns(c.asOfMs), limit, facts: c.facts, filter: c.filter },
    only,
  )
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    cohort: 'deadline',
    slas: slas.map((s) => ({ ...s, instances: [...s.instances] })),
  }
}

export const InstanceQuerySchema = Type.Object(
  { key: Type.String({ pattern: `^${KEY_TYPE_PATTERN.source.slice(1, -1)}=.+$`, description: 'a business key as type=value, e.g. so_number=S9' }) },
  { additionalProperties: false },
)

export const InstanceAnswerSchema = Type.Object({
  process: Type.String(),
  key: Type.String(),
  instances: Type.Array(
    Type.Object({}, { additionalProperties: true, description: 'instance, its keys, and its events in order with their spans and log records' }),
  ),
})
export type InstanceAnswer = { readonly process: string; readonly key: string; readonly instances: readonly InstanceTimeline[] }

export async function instanceAnswer(store: StoreConnection, definition: ProcessDefinition, key: string): Promise<InstanceAnswer> {
  const at = key.indexOf('=')
  const [keyType, value] = [key.slice(0, at), key.slice(at + 1)]
  const instances = await instancesOfKey(store, definition, keyType, value)
  if (instances.length === 0) throw new ThroughlineError(ErrorCode.notFound, `key: no instance of ${definition.name} holds ${key}`, 404)
  const timelines: InstanceTimeline[] = []
  for (const instance of instances) timelines.push(await instanceTimeline(store, definition, instance))
  return { process: definition.name, key, instances: timelines }
}

export const ProcessSummaryAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  quantileMethod: Type.Literal('exact'),
  nMin: Type.Integer(),
  arrived: Type.Integer({ description: 'instances that started in the window' }),
  completed: Type.Integer({ description: 'instances that completed in the window' }),
  cancelled: Type.Integer(),
  failed: Type.Integer(),
  wipAtEnd: Type.Integer({ description: 'open at the window end' }),
  cycleTimeSeconds: Type.Object({
    count: Type.Integer(),
    lowSample: Type.Boolean(),
    p50: NullableNumber,
    p90: NullableNumber,
    p95: NullableNumber,
    mean: NullableNumber,
  }),
  quality: Type.Object({
    instanceFailureRate: NullableNumber,
    firstPassYield: NullableNumber,
    recoveryRate: NullableNumber,
    lowSample: Type.Boolean({ description: 'fewer than n_min instances ended in the window' }),
  }),
  stuck: Type.Object({ stuck: Type.Integer(), unknownLateData: Type.Integer(), valueAtRisk: Type.Array(ValueAtRiskSchema) }),
  slas: Type.Array(
    Type.Object({
      sla: Type.String(),
      due: Type.Integer(),
      attainment: NullableNumber,
      lowSample: Type.Boolean(),
      atRisk: Type.Integer(),
      breachedOpen: Type.Integer(),
    }),
  ),
})
export type ProcessSummaryAnswer = Type.Static<typeof ProcessSummaryAnswerSchema>

/** The figures of a process over a window in one answer: what a dashboard's first row shows. */
export async function processSummaryAnswer(store: StoreConnection, c: KpiContext): Promise<ProcessSummaryAnswer> {
  const window = { fromNs: ns(c.fromMs), toNs: ns(c.toMs) }
  const outcomes = await instanceOutcomes(store, c.definition, window, undefined, c.facts, c.filter)
  const ct = await cycleTime(store, { definition: c.definition, window, nowNs: ns(c.asOfMs), facts: c.facts, filter: c.filter })
  const stuck = await stuckInstances(store, { definition: c.definition, nowNs: ns(c.asOfMs), limit: 1, facts: c.facts, filter: c.filter })
  const slas = await slaAttainment(store, { definition: c.definition, window, nowNs: ns(c.asOfMs), limit: 1, facts: c.facts, filter: c.filter })
  const nMin = c.definition.nMin
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    quantileMethod: 'exact',
    nMin,
    arrived: outcomes.arrived,
    completed: outcomes.completed,
    cancelled: outcomes.cancelled,
    failed: outcomes.failed,
    wipAtEnd: outcomes.wipAtEnd,
    cycleTimeSeconds: {
      count: ct.completion.count,
      lowSample: ct.completion.count < nMin,
      p50: ct.completion.p50,
      p90: ct.completion.p90,
      p95: ct.completion.p95,
      mean: ct.completion.mean,
    },
    quality: {
      instanceFailureRate: outcomes.instanceFailureRate,
      firstPassYield: outcomes.firstPassYield,
      recoveryRate: outcomes.recoveryRate,
      lowSample: outcomes.ended < nMin,
    },
    stuck: { stuck: stuck.stuck, unknownLateData: stuck.unknownLateData, valueAtRisk: [...stuck.valueAtRisk] },
    slas: slas.map((s) => ({ sla: s.sla, due: s.due, attainment: s.attainment, lowSample: s.lowSample, atRisk: s.atRisk, breachedOpen: s.breachedOpen })),
  }
}

export interface ProcessKpiDeps {
  readonly store: StoreConnection
  readonly definitions: readonly ProcessDefinition[]
  /** 'rollup' where a deriver keeps the facts rollup up to date (serve). */
  readonly facts?: FactsSource
}

export async function processKpiRoutes(app: FastifyInstance, deps: ProcessKpiDeps): Promise<void> {
  const byName = new Map(deps.definitions.map((d) => [String(d.name), d]))
  const contextOptions: KpiContextOptions = deps.facts !== undefined ? { facts: deps.facts } : {}
  const input = { params: ProcessParamsSchema, querystring: KpiQuerySchema }
  const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema }
  type Route = { Params: { process: string }; Querystring: KpiQuery }
  app.get<Route>(
    '/api/v1/processes/:process/kpis/summary',
    {
      schema: {
        ...input,
        tags: ['kpis'],
        summary: 'A process over a window: arrivals, completions, WIP, cycle time, quality (failure, first-pass yield), stuck, SLAs',
        response: { 200: ProcessSummaryAnswerSchema, ...errors },
      },
    },
    (request) => processSummaryAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions)),
  )
  app.get<Route>(
    '/api/v1/processes/:process/kpis/cycle-time',
    {
      schema: {
        ...input,
        tags: ['kpis'],
        summary: 'K1 end-to-end cycle time: completion cohort and start cohort (Kaplan-Meier)',
        response: { 200: CycleTimeAnswerSchema, ...errors },
      },
    },
    (request) => cycleTimeAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.clock),
  )
  app.get<Route>(
    '/api/v1/processes/:process/kpis/stuck',
    {
      schema: {
        ...input,
        tags: ['kpis'],
        summary: 'K4 stuck instances with their keys and the value at risk',
        response: { 200: StuckAnswerSchema, ...errors },
      },
    },
    (request) => stuckAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.limit, request.query.offset),
  )
  app.get<Route>(
    '/api/v1/processes/:process/kpis/sla',
    {
      schema: {
        ...input,
        tags: ['kpis'],
        summary: 'K5 SLA attainment over the deadline cohort, at risk and breached instances',
        response: { 200: SlaAnswerSchema, ...errors },
      },
    },
    (request) => slaAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.sla, request.query.limit),
  )
  app.get<{ Params: { process: string }; Querystring: { key: string } }>(
    '/api/v1/processes/:process/instances',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: InstanceQuerySchema,
        tags: ['instances'],
        summary: 'One instance found by any of its business keys: its timeline across systems with the spans and log records behind each step',
        response: { 200: InstanceAnswerSchema, ...errors },
      },
    },
    (request) => {
      const definition = byName.get(request.params.process)
      if (definition === undefined)
        throw new ThroughlineError(ErrorCode.notFound, `process: no definition named ${JSON.stringify(request.params.process)} in processesDir`, 404)
      return instanceAnswer(deps.store, definition, request.query.key)
    },
  )
}
