// K4, stuck instances (kpis.md): open, not cancelled, and idle (now - last progress) longer than
// the threshold of the stage it waits in (the stage after its last milestone): static, or
// dynamic = max(min, k x p95 of that stage over the trailing window). Watermark guard: when the
// system expected to emit the next milestone has sent nothing newer than now - its lateness
// allowance, the instance is `unknown_late_data`, not stuck: silence may be ours, not theirs.
// Output: counts, the oldest age, value at risk per currency (exact decimals) and the instances.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { MilestoneName, ProcessDefinition, StageThreshold } from '../definitions/index.ts'
import { clockSql } from './business-time.ts'
import { DEFAULT_LOOKBACK_NS } from './cycle-time.ts'
import { memberEventsCte } from './instance-events.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'

export type StuckState = 'stuck' | 'unknown_late_data'

export interface StuckScope {
  readonly definition: ProcessDefinition
  readonly nowNs: bigint
  readonly lookbackNs?: bigint
  readonly limit?: number
  readonly offset?: number
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export interface StuckInstance {
  readonly instance: string
  readonly keys: readonly string[]
  readonly state: StuckState
  readonly lastMilestone: string
  readonly lastSystem: string
  /** The system expected to emit the next milestone ('' when the definition does not say). */
  readonly expectedSystem: string
  readonly ageSeconds: number
  readonly thresholdSeconds: number
  /** When it became stuck: its last progress plus the threshold, on the stage's clock. */
  readonly stuckSince: string
  readonly value: number | null
  readonly currency: string
}

export interface ValueAtRisk {
  readonly currency: string
  /** Exact: the sum of decimal amounts, as ClickHouse adds them. */
  readonly amount: number
  readonly instances: number
}

export interface SystemWatermark {
  readonly system: string
  /** Newest observed_ts of the system's business events; null when it never sent one. */
  readonly lastSeen: string | null
  readonly late: boolean
}

export interface StuckAnswer {
  readonly stuck: number
  readonly unknownLateData: number
  readonly oldestAgeSeconds: number | null
  readonly valueAtRisk: readonly ValueAtRisk[]
  readonly thresholds: Readonly<Record<string, number>>
  readonly systems: readonly SystemWatermark[]
  readonly total: number
  readonly instances: readonly StuckInstance[]
}

const NS_PER_MS = 1_000_000n

/** The milestones that may follow `after`: the flow's edges from it, else the next in file order. */
function nextMilestones(definition: ProcessDefinition, after: MilestoneName): MilestoneName[] {
  const edges = definition.flow.edges.filter((edge) => edge.from === after).map((edge) => edge.to)
  if (edges.length > 0) return edges
  const index = definition.milestones.findIndex((m) => m.name === after)
  const next = definition.milestones[index + 1]
  return next === undefined ? [] : [next.name]
}

/** Last milestone -> the system expected to emit what comes next (the first next milestone that names one). */
export function expectedSystems(definition: ProcessDefinition): Record<string, string> {
  const systemOf = new Map(definition.milestones.map((m) => [m.name, m.system ?? '']))
  const out: Record<string, string> = {}
  for (const milestone of definition.milestones) {
    const system = nextMilestones(definition, milestone.name)
      .map((next) => systemOf.get(next) ?? '')
      .find((s) => s !== '')
    if (system !== undefined) out[milestone.name] = system
  }
  return out
}

/** p-th percentile (exact) of the time spent after each milestone before the next event, over [fromNs, toNs). */
async function stageQuantiles(
  store: StoreConnection,
  definition: ProcessDefinition,
  percentile: number,
  fromNs: bigint,
  toNs: bigint,
  source: FactsSource | undefined,
): Promise<Map<string, number>> {
  if (source === 'rollup') {
    // The same pairs from the rollup's per-instance trace: its events in [from, to), in order.
    const facts = instanceFactsCte({ definition, source, eventsFromNs: fromNs, eventsToNs: toNs, withTrace: true })
    const rows = await queryRows<{ stage: string; q: number }>(
      store,
      `WITH ${facts.sql},
       windowed AS (SELECT arrayFilter(e -> e.1 >= {traceFrom:Int64} AND e.1 < {traceTo:Int64}, trace) AS t FROM facts)
       SELECT pair.1.2 AS stage, quantileExactInclusive({quantile:Float64})((pair.2.1 - pair.1.1) / 1e6) AS q
       FROM windowed ARRAY JOIN arrayZip(arrayPopBack(t), arrayPopFront(t)) AS pair
       GROUP BY stage`,
      { ...facts.params, traceFrom: fromNs.toString(), traceTo: toNs.toString(), quantile: percentile / 100 },
      { tag: 'kpi.stuck.stage-quantiles' },
    )
    return new Map(rows.map((r) => [r.stage, r.q]))
  }
  const members = memberEventsCte({ process: definition.name, rootKey: definition.rootKey, fromNs, toNs })
  const rows = await queryRows<{ stage: string; q: number }>(
    store,
    `WITH ${members.sql},
     ordered AS (SELECT instance, arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone))) AS events FROM member_events GROUP BY instance)
     SELECT pair.1.4 AS stage, quantileExactInclusive({quantile:Float64})((toUnixTimestamp64Nano(pair.2.1) - toUnixTimestamp64Nano(pair.1.1)) / 1e6) AS q
     FROM ordered ARRAY JOIN arrayZip(arrayPopBack(events), arrayPopFront(events)) AS pair
     GROUP BY stage`,
    { ...members.params, quantile: percentile / 100 },
    { tag: 'kpi.stuck.stage-quantiles' },
  )
  return new Map(rows.map((r) => [r.stage, r.q]))
}

/** Milestone -> the threshold that applies after it and its clock (the default threshold, then the stages). */
export function stageThresholds(definition: ProcessDefinition): Map<string, { readonly threshold: StageThreshold; readonly clock: 'wall' | 'business' }> {
  const byStage = new Map<string, { threshold: StageThreshold; clock: 'wall' | 'business' }>()
  if (definition.defaultStageThreshold !== undefined) {
    for (const m of definition.milestones) byStage.set(m.name, { threshold: definition.defaultStageThreshold, clock: 'wall' })
  }
  for (const stage of definition.stages) byStage.set(stage.after, { threshold: stage.threshold, clock: stage.clock })
  return byStage
}

/** Milestone -> threshold in ms, for every milestone a threshold applies after. */
async function thresholds(
  store: StoreConnection,
  definition: ProcessDefinition,
  nowNs: bigint,
  source: FactsSource | undefined,
): Promise<{ ms: Record<string, number>; business: string[] }> {
  const byStage = stageThresholds(definition)
  const ms: Record<string, number> = {}
  const business: string[] = []
  const quantileCache = new Map<string, Map<string, number>>()
  for (const [stage, { threshold, clock }] of byStage) {
    if (clock === 'business') business.push(stage)
    if (threshold.kind === 'static') {
      ms[stage] = threshold.ms
      continue
    }
    const cacheKey = `${threshold.percentile}/${threshold.windowMs}`
    let quantiles = quantileCache.get(cacheKey)
    if (quantiles === undefined) {
      quantiles = await stageQuantiles(store, definition, threshold.percentile, nowNs - BigInt(threshold.windowMs) * NS_PER_MS, nowNs, source)
      quantileCache.set(cacheKey, quantiles)
    }
    const observed = quantiles.get(stage)
    ms[stage] = Math.round(Math.max(threshold.minMs, observed === undefined ? 0 : threshold.k * observed))
  }
  return { ms, business }
}

async function watermarks(store: StoreConnection, definition: ProcessDefinition, systems: readonly string[], nowNs: bigint): Promise<SystemWatermark[]> {
  if (systems.length === 0) return []
  const rows = await queryRows<{ System: string; lastNs: string; lastSeen: string }>(
    store,
    `SELECT System, toString(toUnixTimestamp64Nano(max(ObservedTs))) AS lastNs, toString(max(ObservedTs)) AS lastSeen
     FROM business_events WHERE System IN {systems:Array(String)} GROUP BY System`,
    { systems },
    { tag: 'kpi.stuck.watermarks' },
  )
  const seen = new Map(rows.map((r) => [r.System, r]))
  return systems.map((system) => {
    const row = seen.get(system)
    const allowance = BigInt(definition.latenessAllowance.bySystem[system] ?? definition.latenessAllowance.defaultMs) * NS_PER_MS
    return {
      system,
      lastSeen: row === undefined ? null : `${row.lastSeen.replace(' ', 'T')}Z`,
      late: row === undefined || BigInt(row.lastNs) < nowNs - allowance,
    }
  })
}

interface SummaryRow {
  stuck: string
  unknownLateData: string
  oldestAgeNs: string | null
  valueAtRisk: Array<[string, string, string]>
}

interface InstanceRow {
  instance: string
  keys: string[]
  state: StuckState
  lastMilestone: string
  lastSystem: string
  expectedSystem: string
  ageNs: string
  thresholdMs: string
  stuckSinceNs: string
  value: string | null
  currency: string
}

/** What stuckInstances() settles before its main queries (thresholds and watermarks are queries of their own). */
export interface StuckInputs {
  /** Milestone -> the threshold after it, ms. */
  readonly thresholdMs: Readonly<Record<string, number>>
  /** Milestones whose threshold runs on the business clock. */
  readonly businessStages: readonly string[]
  /** Last milestone -> the system expected to emit the next one. */
  readonly expectedSystem: Readonly<Record<string, string>>
  /** Systems late past their allowance: their instances are unknown_late_data, not stuck. */
  readonly lateSystems: readonly string[]
}

/** The CTEs up to `flagged` (one row per stuck or unknown_late_data instance) and their parameters. */
function stuckCandidates(scope: StuckScope, inputs: StuckInputs): { readonly sql: string; readonly params: Record<string, unknown> } {
  const { definition, nowNs } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: nowNs - lookback,
    eventsToNs: nowNs + 1n,
    withKeys: true,
  })
  const clock = clockSql('business', definition.calendar, Number((nowNs - lookback) / NS_PER_MS), Number(nowNs / NS_PER_MS) + 1)
  const params = {
    ...facts.params,
    ...clock.params,
    now: nowNs.toString(),
    thresholdMs: inputs.thresholdMs,
    businessStages: inputs.businessStages,
    expectedSystem: inputs.expectedSystem,
    lateSystems: inputs.lateSystems,
  }
  const sql = `${facts.sql},
    idle AS (
      SELECT *, has({businessStages:Array(String)}, lastMilestone) AS onBusinessClock,
             if(onBusinessClock, ${clock.between('lastNs', '{now:Int64}')}, {now:Int64} - lastNs) AS ageNs,
             {thresholdMs:Map(String, Int64)}[lastMilestone] AS thresholdMs,
             -- When it became stuck: the last progress plus the threshold, on the stage's clock.
             ifNull(if(onBusinessClock, ${clock.after('lastNs', 'thresholdMs * 1000000')}, NULL), lastNs + thresholdMs * 1000000) AS stuckAtNs,
             {expectedSystem:Map(String, String)}[lastMilestone] AS expectedSystem
      FROM facts
      WHERE endNs IS NULL AND NOT cancelled AND mapContains({thresholdMs:Map(String, Int64)}, lastMilestone)
    ),
    flagged AS (
      SELECT *, if(has({lateSystems:Array(String)}, expectedSystem), 'unknown_late_data', 'stuck') AS state
      FROM idle WHERE ageNs > thresholdMs * 1000000
    )`
  return { sql, params }
}

/** The SQL of the summary: one row (stuck, unknownLateData, oldestAgeNs, valueAtRisk as [(currency, amount, instances)]). */
export function stuckSummaryQuery(scope: StuckScope, inputs: StuckInputs): KpiQuery {
  const candidates = stuckCandidates(scope, inputs)
  return {
    sql: `WITH ${candidates.sql}
     SELECT countIf(state = 'stuck') AS stuck, countIf(state = 'unknown_late_data') AS unknownLateData,
            toString(maxIf(ageNs, state = 'stuck')) AS oldestAgeNs,
            (SELECT arraySort(groupArray((currency, toString(amount), toString(n)))) FROM (
               SELECT currency, sum(value) AS amount, count() AS n FROM flagged WHERE state = 'stuck' AND value IS NOT NULL GROUP BY currency)) AS valueAtRisk
     FROM flagged`,
    params: candidates.params,
  }
}

/** The SQL of the instance list: stuck first, oldest first, one page (limit, offset of the scope). */
export function stuckInstancesQuery(scope: StuckScope, inputs: StuckInputs): KpiQuery {
  const candidates = stuckCandidates(scope, inputs)
  return {
    sql: `WITH ${candidates.sql}
     SELECT instance, arraySort(keys) AS keys, state, lastMilestone, lastSystem, expectedSystem, toString(ageNs) AS ageNs, toString(thresholdMs) AS thresholdMs,
            toString(stuckAtNs) AS stuckSinceNs,
            toString(value) AS value, currency
     FROM flagged ORDER BY state, ageNs DESC, instance LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params: { ...candidates.params, limit: scope.limit ?? 100, offset: scope.offset ?? 0 },
  }
}

export async function stuckInstances(store: StoreConnection, scope: StuckScope): Promise<StuckAnswer> {
  const { definition, nowNs } = scope
  const stage = await thresholds(store, definition, nowNs, scope.facts)
  const expected = expectedSystems(definition)
  const systems = await watermarks(store, definition, [...new Set(Object.values(expected))].sort(), nowNs)
  const inputs: StuckInputs = {
    thresholdMs: stage.ms,
    businessStages: stage.business,
    expectedSystem: expected,
    lateSystems: systems.filter((s) => s.late).map((s) => s.system),
  }
  const summaryQuery = stuckSummaryQuery(scope, inputs)
  const [summary] = await queryRows<SummaryRow>(store, summaryQuery.sql, summaryQuery.params, { tag: 'kpi.stuck.summary' })
  const instancesQuery = stuckInstancesQuery(scope, inputs)
  const instances = await queryRows<InstanceRow>(store, instancesQuery.sql, instancesQuery.params, { tag: 'kpi.stuck.instances' })
  const stuck = Number(summary?.stuck ?? 0)
  return {
    stuck,
    unknownLateData: Number(summary?.unknownLateData ?? 0),
    oldestAgeSeconds: stuck === 0 ? null : Number(summary?.oldestAgeNs ?? 0) / 1e9,
    valueAtRisk: (summary?.valueAtRisk ?? []).map(([currency, amount, n]) => ({ currency, amount: Number(amount), instances: Number(n) })),
    thresholds: Object.fromEntries(Object.entries(stage.ms).map(([name, ms]) => [name, ms / 1000])),
    systems,
    total: stuck + Number(summary?.unknownLateData ?? 0),
    instances: instances.map((r) => ({
      instance: r.instance,
      keys: r.keys,
      state: r.state,
      lastMilestone: r.lastMilestone,
      lastSystem: r.lastSystem,
      expectedSystem: r.expectedSystem,
      ageSeconds: Number(r.ageNs) / 1e9,
      thresholdSeconds: Number(r.thresholdMs) / 1000,
      stuckSince: new Date(Number(BigInt(r.stuckSinceNs) / NS_PER_MS)).toISOString(),
      value: r.value === null ? null : Number(r.value),
      currency: r.currency,
    })),
  }
}
