// The process-analysis KPIs of a defined process (docs/kpis/process-kpis.md): stage durations
// (K2), throughput, arrivals and WIP per bucket (K3), rework (K8) and conformance (K9). The
// window, as_of and the 404/400 answers come from kpiContext, as for the instance KPIs. Each
// answer carries its window, the definition's version and n_min, the quantile method where it
// has quantiles and lowSample where a figure rests on few samples. The answer builders are
// exported so `throughline kpi` prints the same thing.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import {
  conformance,
  rework,
  stageDurations,
  throughput,
  THROUGHPUT_BUCKETS,
  type Clock,
  type Deviation,
  type FactsSource,
  type ProcessDefinition,
  type ThroughputBucketSize,
} from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { kpiContext, KpiQuerySchema, type KpiContext, type KpiContextOptions } from './process-kpi-routes.ts'
import { ProcessParamsSchema } from './process-log-routes.ts'

const { from, to, as_of, clock, limit, offset } = KpiQuerySchema.properties

export const StagesQuerySchema = Type.Object({ from, to, as_of, clock }, { additionalProperties: false })
export type StagesQuery = Type.Static<typeof StagesQuerySchema>

export const DEFAULT_THROUGHPUT_BUCKET: ThroughputBucketSize = 'day'

export const ThroughputQuerySchema = Type.Object(
  {
    from,
    to,
    as_of,
    bucket: Type.Optional(
      Type.Enum(THROUGHPUT_BUCKETS, {
        description: `bucket size in the process's calendar timezone (default ${DEFAULT_THROUGHPUT_BUCKET}; weeks start on Monday)`,
      }),
    ),
  },
  { additionalProperties: false },
)
export type ThroughputQuery = Type.Static<typeof ThroughputQuerySchema>

export const ReworkQuerySchema = Type.Object({ from, to, as_of }, { additionalProperties: false })
export type ReworkQuery = Type.Static<typeof ReworkQuerySchema>

export const ConformanceQuerySchema = Type.Object({ from, to, as_of, limit, offset }, { additionalProperties: false })
export type ConformanceQuery = Type.Static<typeof ConformanceQuerySchema>

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const windowOf = (c: KpiContext) => ({ from: new Date(c.fromMs).toISOString(), to: new Date(c.toMs).toISOString(), asOf: new Date(c.asOfMs).toISOString() })
const kpiWindow = (c: KpiContext) => ({ fromNs: ns(c.fromMs), toNs: ns(c.toMs) })

const WindowSchema = Type.Object({ from: Type.String(), to: Type.String(), asOf: Type.String() })
const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const ClockSchema = Type.Union([Type.Literal('wall'), Type.Literal('business')])

export const StagesAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  clock: ClockSchema,
  quantileMethod: Type.Literal('exact'),
  nMin: Type.Integer(),
  stagesFrom: Type.Union([Type.Literal('edges'), Type.Literal('request'), Type.Literal('observed')], {
    description: "the flow's edges, or without edges every pair of milestones seen one after the other",
  }),
  stages: Type.Array(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      count: Type.Integer({ description: 'stages whose B (first B at or after the first A) falls in the window' }),
      meanSeconds: NullableNumber,
      p50Seconds: NullableNumber,
      p95Seconds: NullableNumber,
      lowSample: Type.Boolean({ description: 'count < n_min' }),
      skipped: Type.Integer({ description: 'B reached in the window in an instance that never reached A' }),
      skewed: Type.Integer({ description: 'B before A within the clock-skew tolerance: counted as 0 s' }),
      invalidOrder: Type.Integer({ description: 'B only before A beyond the tolerance: left out of the figures' }),
      inFlight: Type.Integer({ description: 'open at as_of, reached A and not left it: the state at as_of, not windowed' }),
      oldestInFlightSeconds: NullableNumber,
    }),
  ),
})
export type StagesAnswer = Type.Static<typeof StagesAnswerSchema>

export async function stagesAnswer(store: StoreConnection, c: KpiContext, clockName: Clock = 'wall'): Promise<StagesAnswer> {
  const result = await stageDurations(store, {
    definition: c.definition,
    window: kpiWindow(c),
    nowNs: ns(c.asOfMs),
    clock: clockName,
    facts: c.facts,
    filter: c.filter,
  })
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    clock: result.clock,
    quantileMethod: result.quantileMethod,
    nMin: c.definition.nMin,
    stagesFrom: result.stagesFrom,
    stages: result.stages.map((s) => ({ ...s })),
  }
}

export const ThroughputAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  bucket: Type.Enum(THROUGHPUT_BUCKETS),
  timeZone: Type.String({ description: 'the calendar timezone buckets are local days, hours or weeks of' }),
  buckets: Type.Array(
    Type.Object({
      start: Type.String({ description: 'the local bucket start as a UTC instant; the first bucket may start before from' }),
      end: Type.String(),
      arrivals: Type.Integer({ description: 'instances whose start milestone is in the bucket (and the window)' }),
      completions: Type.Integer(),
      cancelled: Type.Integer(),
      failed: Type.Integer(),
      wip: Type.Union([Type.Integer(), Type.Null()], { description: 'open at wipAt; null for a bucket that starts after as_of' }),
      wipAt: Type.Union([Type.String(), Type.Null()], { description: 'the bucket end, or as_of for the bucket as_of falls in' }),
      cycleTime: Type.Object(
        {
          count: Type.Integer({ description: 'completed in the bucket with their start seen' }),
          p50: Type.Union([Type.Number(), Type.Null()]),
          p95: Type.Union([Type.Number(), Type.Null()]),
          lowSample: Type.Boolean(),
        },
        { description: 'K1 per bucket, wall clock, seconds, exact quantiles; null without completions' },
      ),
    }),
  ),
  totals: Type.Object({ arrivals: Type.Integer(), completions: Type.Integer(), cancelled: Type.Integer(), failed: Type.Integer() }),
})
export type ThroughputAnswer = Type.Static<typeof ThroughputAnswerSchema>

export async function throughputAnswer(
  store: StoreConnection,
  c: KpiContext,
  bucket: ThroughputBucketSize = DEFAULT_THROUGHPUT_BUCKET,
): Promise<ThroughputAnswer> {
  const result = await throughput(store, { definition: c.definition, window: kpiWindow(c), nowNs: ns(c.asOfMs), bucket, facts: c.facts, filter: c.filter })
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    bucket: result.bucket,
    timeZone: result.timeZone,
    buckets: result.buckets.map((b) => ({ ...b, cycleTime: { ...b.cycleTime } })),
    totals: { ...result.totals },
  }
}

export const ReworkAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  nMin: Type.Integer(),
  completed: Type.Integer({ description: 'instances that reached a completed terminal in the window' }),
  reworked: Type.Integer({ description: 'of those, the ones with a repeated milestone or a rework activity' }),
  rate: Type.Union([Type.Number(), Type.Null()], { description: 'reworked / completed; null when nothing completed' }),
  lowSample: Type.Boolean({ description: 'completed < n_min' }),
  activities: Type.Array(
    Type.Object({
      activity: Type.String(),
      kind: Type.Union([Type.Literal('repeated'), Type.Literal('rework_activity')]),
      instances: Type.Integer(),
      occurrences: Type.Integer({ description: 'every occurrence of a rework activity; every one after the first of a repeat (per child)' }),
    }),
  ),
})
export type ReworkAnswer = Type.Static<typeof ReworkAnswerSchema>

export async function reworkAnswer(store: StoreConnection, c: KpiContext): Promise<ReworkAnswer> {
  const result = await rework(store, { definition: c.definition, window: kpiWindow(c), facts: c.facts, filter: c.filter })
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    nMin: c.definition.nMin,
    ...result,
    activities: result.activities.map((a) => ({ ...a })),
  }
}

const DeviationCountSchema = Type.Object({ deviations: Type.Integer(), instances: Type.Integer() })
const DeviationSchema = Type.Union([
  Type.Object({ kind: Type.Literal('skipped'), activity: Type.String() }),
  Type.Object({ kind: Type.Literal('wrong_start'), activity: Type.String() }),
  Type.Object({ kind: Type.Literal('wrong_end'), activity: Type.String() }),
  Type.Object({ kind: Type.Literal('out_of_sequence'), from: Type.String(), to: Type.String() }),
  Type.Object({ kind: Type.Literal('occurred_too_often'), activity: Type.String(), occurrences: Type.Integer() }),
  Type.Object({
    kind: Type.Literal('temporal'),
    from: Type.String(),
    to: Type.String(),
    gapSeconds: Type.Number(),
    meanSeconds: Type.Number(),
    sigmaSeconds: Type.Number(),
  }),
])

export const ConformanceAnswerSchema = Type.Object({
  process: Type.String(),
  version: Type.String(),
  window: WindowSchema,
  nMin: Type.Integer(),
  completed: Type.Integer({ description: 'instances that reached a completed terminal in the window' }),
  conforming: Type.Integer({ description: 'of those, the ones without a deviation other than temporal' }),
  rate: Type.Union([Type.Number(), Type.Null()], { description: 'conforming / completed; null when nothing completed' }),
  lowSample: Type.Boolean({ description: 'completed < n_min' }),
  edgesChecked: Type.Boolean({ description: 'false when the flow has no edges: out_of_sequence is not checked' }),
  byKind: Type.Object({
    skipped: DeviationCountSchema,
    out_of_sequence: DeviationCountSchema,
    occurred_too_often: DeviationCountSchema,
    wrong_start: DeviationCountSchema,
    wrong_end: DeviationCountSchema,
    temporal: DeviationCountSchema,
  }),
  byEdge: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), outOfSequence: Type.Integer(), temporal: Type.Integer() })),
  byActivity: Type.Array(
    Type.Object({ activity: Type.String(), skipped: Type.Integer(), occurredTooOften: Type.Integer(), wrongStart: Type.Integer(), wrongEnd: Type.Integer() }),
  ),
  total: Type.Integer({ description: 'non-conforming instances: the length of the full list' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  instances: Type.Array(
    Type.Object({
      instance: Type.String(),
      keys: Type.Array(Type.String()),
      completedAt: Type.String(),
      deviations: Type.Array(DeviationSchema, { description: 'every deviation, sorted by kind' }),
    }),
    { description: 'the non-conforming instances, most recently completed first' },
  ),
})
export type ConformanceAnswer = Type.Static<typeof ConformanceAnswerSchema>

const deviationOut = (d: Deviation) => ({ ...d })

export async function conformanceAnswer(store: StoreConnection, c: KpiContext, limitCount = 100, offsetCount = 0): Promise<ConformanceAnswer> {
  const result = await conformance(store, {
    definition: c.definition,
    window: kpiWindow(c),
    limit: limitCount,
    offset: offsetCount,
    facts: c.facts,
    filter: c.filter,
  })
  return {
    process: c.definition.name,
    version: c.definition.version,
    window: windowOf(c),
    nMin: c.definition.nMin,
    ...result,
    byKind: { ...result.byKind },
    byEdge: result.byEdge.map((e) => ({ ...e })),
    byActivity: result.byActivity.map((a) => ({ ...a })),
    limit: limitCount,
    offset: offsetCount,
    instances: result.instances.map((i) => ({ ...i, keys: [...i.keys], deviations: i.deviations.map(deviationOut) })),
  }
}

export interface ProcessAnalysisDeps {
  readonly store: StoreConnection
  readonly definitions: readonly ProcessDefinition[]
  /** 'rollup' where a deriver keeps the facts rollup up to date (serve). */
  readonly facts?: FactsSource
}

export async function processAnalysisRoutes(app: FastifyInstance, deps: ProcessAnalysisDeps): Promise<void> {
  const byName = new Map(deps.definitions.map((d) => [String(d.name), d]))
  const contextOptions: KpiContextOptions = deps.facts !== undefined ? { facts: deps.facts } : {}
  const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema }
  app.get<{ Params: { process: string }; Querystring: StagesQuery }>(
    '/api/v1/processes/:process/kpis/stages',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: StagesQuerySchema,
        tags: ['kpis'],
        summary: 'K2 stage durations A -> B: per stage of the flow, completed in the window, skipped, in flight',
        response: { 200: StagesAnswerSchema, ...errors },
      },
    },
    (request) => stagesAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.clock),
  )
  app.get<{ Params: { process: string }; Querystring: ThroughputQuery }>(
    '/api/v1/processes/:process/kpis/throughput',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: ThroughputQuerySchema,
        tags: ['kpis'],
        summary: 'K3 throughput series: arrivals, completions, cancelled, failed and WIP per hour, day or week',
        response: { 200: ThroughputAnswerSchema, ...errors },
      },
    },
    (request) => throughputAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.bucket),
  )
  app.get<{ Params: { process: string }; Querystring: ReworkQuery }>(
    '/api/v1/processes/:process/kpis/rework',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: ReworkQuerySchema,
        tags: ['kpis'],
        summary: 'K8 rework: rate over the instances completed in the window, per repeated milestone or rework activity',
        response: { 200: ReworkAnswerSchema, ...errors },
      },
    },
    (request) => reworkAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions)),
  )
  app.get<{ Params: { process: string }; Querystring: ConformanceQuery }>(
    '/api/v1/processes/:process/kpis/conformance',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: ConformanceQuerySchema,
        tags: ['kpis'],
        summary: 'K9 conformance: rate, deviations by kind, edge and activity, and the non-conforming instances',
        response: { 200: ConformanceAnswerSchema, ...errors },
      },
    },
    (request) =>
      conformanceAnswer(deps.store, kpiContext(byName, request.params.process, request.query, contextOptions), request.query.limit, request.query.offset),
  )
}
