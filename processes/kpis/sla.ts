// K5, SLA attainment (kpis.md): deadline = start + T (T by attribute where the SLA says so; on
// the business calendar when its clock is business). Breached: reached after the deadline, or
// still open past it. Attainment is over the DEADLINE cohort: instances whose deadline falls in
// the window, so a slow instance counts in the window its promise fell due, not when it
// finally closed. At risk: open, not breached, past start + atRisk x T.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition, SlaDefinition } from '../definitions/index.ts'
import { clockSql, wallClockSql } from './business-time.ts'
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

/** One row per SLA of the statement: the summary counts and the listed instances. */
interface SlaRow {
  sla: string
  due: string
  met: string
  breached: string
  pending: string
  atRisk: string
  breachedOpen: string
  /** (state, deadline ns, instance, start ns, reached ns, target ms, value), sorted, at most `limit`. */
  listed?: ReadonlyArray<readonly [SlaState, string, string, string, string | null, string, string | null]>
}

const isoOf = (ns: string): string => new Date(Number(BigInt(ns) / NS_PER_MS)).toISOString()

/**
 * The SQL of K5 for several SLAs of one process in one statement: the instance facts are read
 * once with every SLA's from/to reaches, each instance's deadline and at-risk instant are
 * computed per SLA, and ARRAY JOIN gives one row per (instance, SLA) to count. One row per SLA
 * (those without an instance too), in the order given, with `sla` its name; with `limit` > 0
 * also `listed`: the breached (open, or due in the window) and at-risk instances, by state,
 * deadline and instance, at most `limit`.
 */
export function slaQuery(scope: SlaScope, slas: readonly SlaDefinition[], windows: readonly KpiWindow[] = [scope.window]): KpiQuery {
  const { definition, nowNs } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  // Every window's facts: from the earliest start (less the lookback) to the latest end or now.
  const window = {
    fromNs: windows.reduce((a, w) => (w.fromNs < a ? w.fromNs : a), windows[0]?.fromNs ?? scope.window.fromNs),
    toNs: windows.reduce((a, w) => (w.toNs > a ? w.toNs : a), windows[0]?.toNs ?? scope.window.toNs),
  }
  const attributes = [...new Set(slas.flatMap((sla) => (sla.target.kind === 'by_attribute' ? [sla.target.attribute] : [])))]
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: window.fromNs - lookback,
    eventsToNs: (window.toNs > nowNs ? window.toNs : nowNs) + 1n,
    attributes,
    reaches: slas.flatMap((sla) => [sla.from, sla.to]),
  })
  // Periods reach far enough past the latest instant any deadline can start from.
  const periodsTo = Number((window.toNs > nowNs ? window.toNs : nowNs) / NS_PER_MS) + 4 * Math.max(0, ...slas.map(maxTargetMs)) + 30 * 86_400_000
  const business = clockSql('business', definition.calendar, Number((window.fromNs - lookback) / NS_PER_MS), periodsTo)
  const params: Record<string, unknown> = {
    ...facts.params,
    ...(slas.some((sla) => sla.clock === 'business') ? business.params : {}),
    now: nowNs.toString(),
    limit: scope.limit ?? 100,
  }
  const perSla = slas.map((sla, i) => {
    const clock = sla.clock === 'business' ? business : wallClockSql
    params[`sla${i}`] = sla.name
    params[`targetMs${i}`] = String(sla.target.kind === 'fixed' ? sla.target.ms : sla.target.defaultMs)
    params[`atRisk${i}`] = sla.atRisk
    let target = `{targetMs${i}:Int64}`
    if (sla.target.kind === 'by_attribute') {
      params[`targetByValue${i}`] = sla.target.values
      const attr = `attr_${attributes.indexOf(sla.target.attribute)}`
      target = `if(mapContains({targetByValue${i}:Map(String, Int64)}, ${attr}), {targetByValue${i}:Map(String, Int64)}[${attr}], {targetMs${i}:Int64})`
    }
    const [from, to] = [`reach_${2 * i}`, `reach_${2 * i + 1}`]
    // Paused time extends the deadline (kpis.md K5): closed pauses, and a pause still open.
    const deadline = `${clock.after(from, `${target} * 1000000`)} + pausedNs + if(pausedSinceNs IS NULL, 0, greatest(0, {now:Int64} - pausedSinceNs))`
    const riskFrom = clock.after(from, `toInt64(${target} * 1000000 * {atRisk${i}:Float64})`)
    return `tuple(toUInt8(${i}), ${from}, ${to}, toInt64(${target}), ${deadline}, ${riskFrom})`
  })
  // One (index, from, to) per window: the deadline cohort is counted per window in one pass.
  const windowTuples = windows
    .map((w, k) => {
      params[`windowFrom${k}`] = w.fromNs.toString()
      params[`windowTo${k}`] = w.toNs.toString()
      return `(toUInt8(${k}), {windowFrom${k}:Int64}, {windowTo${k}:Int64})`
    })
    .join(', ')
  const listed =
    (scope.limit ?? 100) > 0
      ? `, arraySlice(arraySort(groupArrayIf(tuple(state, deadlineNs, instance, toString(startNs), toString(reachedNs), toString(targetMs), toString(value)),
           (state = 'breached' AND (reachedNs IS NULL OR inWindow)) OR state = 'at_risk')), 1, {limit:UInt32}) AS listed`
      : ''
  return {
    sql: `WITH ${facts.sql},
    per_sla AS (
      SELECT instance, value, cancelled, s.1 AS slaIndex, s.2 AS startNs, s.3 AS reachedNs, s.4 AS targetMs, s.5 AS deadlineNs, s.6 AS riskFromNs
      FROM facts ARRAY JOIN [${perSla.join(', ')}] AS s
      WHERE startNs IS NOT NULL AND NOT (cancelled AND reachedNs IS NULL)
    ),
    judged AS (
      SELECT *, multiIf(reachedNs IS NOT NULL AND reachedNs <= deadlineNs, 'met',
                        reachedNs IS NOT NULL OR {now:Int64} > deadlineNs, 'breached',
                        {now:Int64} >= riskFromNs, 'at_risk', 'pending') AS state
      FROM per_sla
    ),
    counted AS (
      SELECT slaIndex, windowIndex, countIf(inWindow) AS due, countIf(inWindow AND state = 'met') AS met, countIf(inWindow AND state = 'breached') AS breached,
             countIf(inWindow AND state IN ('pending', 'at_risk')) AS pending,
             countIf(reachedNs IS NULL AND state = 'at_risk') AS atRisk, countIf(reachedNs IS NULL AND state = 'breached') AS breachedOpen${listed}
      FROM (SELECT *, w.1 AS windowIndex, deadlineNs >= w.2 AND deadlineNs < w.3 AS inWindow FROM judged ARRAY JOIN [${windowTuples}] AS w)
      GROUP BY slaIndex, windowIndex
    )
    SELECT [${slas.map((_, i) => `{sla${i}:String}`).join(', ')}][i + 1] AS sla, k AS window, counted.* EXCEPT (slaIndex, windowIndex)
    FROM (SELECT toUInt8(arrayJoin(range(${slas.length}))) AS i) AS every_sla
    CROSS JOIN (SELECT toUInt8(arrayJoin(range(${windows.length}))) AS k) AS every_window
    LEFT JOIN counted ON counted.slaIndex = every_sla.i AND counted.windowIndex = every_window.k
    ORDER BY i, k`,
    params,
  }
}

function attainmentOf(definition: ProcessDefinition, sla: SlaDefinition, row: SlaRow | undefined): SlaAttainment {
  const met = Number(row?.met ?? 0)
  const breached = Number(row?.breached ?? 0)
  return {
    sla: sla.name,
    clock: sla.clock,
    due: Number(row?.due ?? 0),
    met,
    breached,
    pending: Number(row?.pending ?? 0),
    attainment: met + breached === 0 ? null : met / (met + breached),
    lowSample: met + breached < definition.nMin,
    atRisk: Number(row?.atRisk ?? 0),
    breachedOpen: Number(row?.breachedOpen ?? 0),
    instances: (row?.listed ?? []).map(([state, deadline, instance, start, reached, targetMs, value]) => ({
      instance,
      state,
      start: isoOf(start),
      deadline: isoOf(deadline),
      reached: reached === null ? null : isoOf(reached),
      targetSeconds: Number(targetMs) / 1000,
      value: value === null ? null : Number(value),
    })),
  }
}

/** Every SLA of the definition (or the one named), in definition order: one statement for all. */
export async function slaAttainment(store: StoreConnection, scope: SlaScope, only?: string): Promise<SlaAttainment[]> {
  const [answer] = await slaAttainmentPerWindow(store, scope, [scope.window], only)
  return answer ?? []
}

/**
 * slaAttainment for several windows ending at the same now in one statement (the rules'
 * windows of one cycle): each instance's deadlines are computed once, counted per window.
 * One answer per window, in the order given.
 */
export async function slaAttainmentPerWindow(
  store: StoreConnection,
  scope: SlaScope,
  windows: readonly KpiWindow[],
  only?: string,
): Promise<SlaAttainment[][]> {
  const slas = scope.definition.slas.filter((sla) => only === undefined || sla.name === only)
  if (slas.length === 0 || windows.length === 0) return windows.map(() => [])
  const query = slaQuery(scope, slas, windows)
  const rows = await queryRows<SlaRow>(store, query.sql, query.params, { tag: 'kpi.sla' })
  // Rows come by SLA, then window.
  return windows.map((_, k) => slas.map((sla, i) => attainmentOf(scope.definition, sla, rows[i * windows.length + k])))
}
