// K5, SLA attainment (kpis.md): deadline = start + T (T by attribute where the SLA says so; on
// the business calendar when its clock is business). Breached: reached after the deadline, or
// still open past it. Attainment is over the DEADLINE cohort: instances whose deadline falls in
// the window, so a slow instance counts in the window its promise fell due, not when it
// finally closed. At risk: open, not breached, past start + atRisk x T.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition, SlaDefinition } from '../definitions/index.ts'
import { clockSql } from './business-time.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface SlaScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly nowNs: bigint
  readonly lookbackNs?: bigint
  /** How many breached and at-risk instances to list per SLA. */
  readonly limit?: number
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export type SlaState = 'met' | 'breached' | 'pending' | 'at_risk'

export interface SlaInstance {
  readonly instance: string
  readonly state: SlaState
  readonly start: string
  readonly deadline: string
  /** When `to` was reached; null while open. */
  readonly reached: string | null
  readonly targetSeconds: number
  readonly value: number | null
}

export interface SlaAttainment {
  readonly sla: string
  readonly clock: 'wall' | 'business'
  /** Instances whose deadline is in the window. */
  readonly due: number
  readonly met: number
  readonly breached: number
  /** Due in the window but neither reached nor past the deadline yet (the window reaches past now). */
  readonly pending: number
  /** met / (met + breached); null when nothing was decided. */
  readonly attainment: number | null
  readonly lowSample: boolean
  /** Open now, not breached, past start + atRisk x T (not limited to the window). */
  readonly atRisk: number
  /** Open now and past the deadline (not limited to the window). */
  readonly breachedOpen: number
  readonly instances: readonly SlaInstance[]
}

const NS_PER_MS = 1_000_000n

function maxTargetMs(sla: SlaDefinition): number {
  return sla.target.kind === 'fixed' ? sla.target.ms : Math.max(sla.target.defaultMs, ...Object.values(sla.target.values))
}

interface SummaryRow {
  due: string
  met: string
  breached: string
  pending: string
  atRisk: string
  breachedOpen: string
}

interface InstanceRow {
  instance: string
  state: SlaState
  start: string
  deadline: string
  reached: string | null
  targetMs: string
  value: string | null
}

const isoOf = (ns: string): string => new Date(Number(BigInt(ns) / NS_PER_MS)).toISOString()

/** The CTEs up to `judged` (one row per instance with a start: its deadline and state) and their parameters. */
function slaCte(scope: SlaScope, sla: SlaDefinition): { readonly cte: string; readonly params: Record<string, unknown> } {
  const { definition, window, nowNs } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const attributes = sla.target.kind === 'by_attribute' ? [sla.target.attribute] : []
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: window.fromNs - lookback,
    eventsToNs: (window.toNs > nowNs ? window.toNs : nowNs) + 1n,
    attributes,
    reaches: [sla.from, sla.to],
  })
  // Periods reach far enough past the latest instant any deadline can start from.
  const periodsTo = Number((window.toNs > nowNs ? window.toNs : nowNs) / NS_PER_MS) + 4 * maxTargetMs(sla) + 30 * 86_400_000
  const clock = clockSql(sla.clock, definition.calendar, Number((window.fromNs - lookback) / NS_PER_MS), periodsTo)
  const target =
    sla.target.kind === 'fixed'
      ? '{targetMs:Int64}'
      : 'if(mapContains({targetByValue:Map(String, Int64)}, attr_0), {targetByValue:Map(String, Int64)}[attr_0], {targetMs:Int64})'
  const params = {
    ...facts.params,
    ...clock.params,
    targetMs: String(sla.target.kind === 'fixed' ? sla.target.ms : sla.target.defaultMs),
    targetByValue: sla.target.kind === 'by_attribute' ? sla.target.values : {},
    atRisk: sla.atRisk,
    windowFrom: window.fromNs.toString(),
    windowTo: window.toNs.toString(),
    now: nowNs.toString(),
    limit: scope.limit ?? 100,
  }
  const cte = `${facts.sql},
    timed AS (
      SELECT instance, value, reach_0 AS startNs, reach_1 AS reachedNs, ${target} AS targetMs,
             -- Paused time extends the deadline (kpis.md K5): closed pauses, and a pause still open.
             ${clock.after('reach_0', 'targetMs * 1000000')} + pausedNs + if(pausedSinceNs IS NULL, 0, greatest(0, {now:Int64} - pausedSinceNs)) AS deadlineNs,
             ${clock.after('reach_0', 'toInt64(targetMs * 1000000 * {atRisk:Float64})')} AS riskFromNs,
             cancelled
      FROM facts WHERE reach_0 IS NOT NULL
    ),
    judged AS (
      SELECT *, multiIf(reachedNs IS NOT NULL AND reachedNs <= deadlineNs, 'met',
                        reachedNs IS NOT NULL OR {now:Int64} > deadlineNs, 'breached',
                        {now:Int64} >= riskFromNs, 'at_risk', 'pending') AS state
      FROM timed WHERE NOT (cancelled AND reachedNs IS NULL)
    )`
  return { cte, params }
}

/** The SQL of one SLA's summary: one row (due, met, breached, pending, atRisk, breachedOpen). */
export function slaSummaryQuery(scope: SlaScope, sla: SlaDefinition): KpiQuery {
  const { cte, params } = slaCte(scope, sla)
  return {
    sql: `WITH ${cte}
     SELECT countIf(inWindow) AS due, countIf(inWindow AND state = 'met') AS met, countIf(inWindow AND state = 'breached') AS breached,
            countIf(inWindow AND state IN ('pending', 'at_risk')) AS pending,
            countIf(reachedNs IS NULL AND state = 'at_risk') AS atRisk, countIf(reachedNs IS NULL AND state = 'breached') AS breachedOpen
     FROM (SELECT *, deadlineNs >= {windowFrom:Int64} AND deadlineNs < {windowTo:Int64} AS inWindow FROM judged)`,
    params,
  }
}

async function oneSla(store: StoreConnection, scope: SlaScope, sla: SlaDefinition): Promise<SlaAttainment> {
  const { definition } = scope
  const summaryQuery = slaSummaryQuery(scope, sla)
  const [summary] = await queryRows<SummaryRow>(store, summaryQuery.sql, summaryQuery.params, { tag: 'kpi.sla.summary' })
  const { cte, params } = slaCte(scope, sla)
  const instances = await queryRows<InstanceRow>(
    store,
    `WITH ${cte}
     SELECT instance, state, toString(startNs) AS start, toString(deadlineNs) AS deadline, toString(reachedNs) AS reached, toString(targetMs) AS targetMs, toString(value) AS value
     FROM judged
     WHERE (state = 'breached' AND (reachedNs IS NULL OR (deadlineNs >= {windowFrom:Int64} AND deadlineNs < {windowTo:Int64}))) OR state = 'at_risk'
     ORDER BY state, deadlineNs, instance LIMIT {limit:UInt32}`,
    params,
    { tag: 'kpi.sla.instances' },
  )
  const met = Number(summary?.met ?? 0)
  const breached = Number(summary?.breached ?? 0)
  return {
    sla: sla.name,
    clock: sla.clock,
    due: Number(summary?.due ?? 0),
    met,
    breached,
    pending: Number(summary?.pending ?? 0),
    attainment: met + breached === 0 ? null : met / (met + breached),
    lowSample: met + breached < definition.nMin,
    atRisk: Number(summary?.atRisk ?? 0),
    breachedOpen: Number(summary?.breachedOpen ?? 0),
    instances: instances.map((r) => ({
      instance: r.instance,
      state: r.state,
      start: isoOf(r.start),
      deadline: isoOf(r.deadline),
      reached: r.reached === null ? null : isoOf(r.reached),
      targetSeconds: Number(r.targetMs) / 1000,
      value: r.value === null ? null : Number(r.value),
    })),
  }
}

/** Every SLA of the definition (or the one named), in definition order. */
export async function slaAttainment(store: StoreConnection, scope: SlaScope, only?: string): Promise<SlaAttainment[]> {
  const slas = scope.definition.slas.filter((sla) => only === undefined || sla.name === only)
  const out: SlaAttainment[] = []
  for (const sla of slas) out.push(await oneSla(store, scope, sla))
  return out
}
