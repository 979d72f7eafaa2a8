// K9, conformance (kpis.md): each instance completed in the window, as its sequence of
// occurrences (retries of one operation collapsed, as K8 counts them), checked against the
// definition: start set, end set (terminal milestones), directly-follows edges (not checked
// when the flow has none), mandatory milestones and repeats. Rate = conforming / completed.
// Temporal deviations (a gap beyond mean +/- 2 sigma of that edge over the instances read)
// are reported beside, and do not make an instance non-conforming.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'
import { occurrencesCte } from './rework.ts'

export interface ConformanceScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly lookbackNs?: bigint
  /** Non-conforming instances to list (default 100), after `offset`. */
  readonly limit?: number
  readonly offset?: number
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export const DEVIATION_KINDS = ['skipped', 'out_of_sequence', 'occurred_too_often', 'wrong_start', 'wrong_end', 'temporal'] as const
export type DeviationKind = (typeof DEVIATION_KINDS)[number]

export type Deviation =
  /** A mandatory milestone the instance never reached. */
  | { readonly kind: 'skipped'; readonly activity: string }
  /** Two consecutive occurrences whose edge the flow does not allow. */
  | { readonly kind: 'out_of_sequence'; readonly from: string; readonly to: string }
  /** A milestone that may not repeat, occurring `occurrences` times (per child, for a child milestone). */
  | { readonly kind: 'occurred_too_often'; readonly activity: string; readonly occurrences: number }
  | { readonly kind: 'wrong_start'; readonly activity: string }
  | { readonly kind: 'wrong_end'; readonly activity: string }
  /** A gap between consecutive occurrences beyond mean +/- 2 sigma of that edge's gaps. */
  | {
      readonly kind: 'temporal'
      readonly from: string
      readonly to: string
      readonly gapSeconds: number
      readonly meanSeconds: number
      readonly sigmaSeconds: number
    }

export interface DeviationCount {
  readonly deviations: number
  readonly instances: number
}

export interface EdgeDeviations {
  readonly from: string
  readonly to: string
  readonly outOfSequence: number
  readonly temporal: number
}

export interface ActivityDeviations {
  readonly activity: string
  readonly skipped: number
  readonly occurredTooOften: number
  readonly wrongStart: number
  readonly wrongEnd: number
}

export interface NonConformingInstance {
  readonly instance: string
  readonly keys: readonly string[]
  /** When it completed (ISO 8601). */
  readonly completedAt: string
  readonly deviations: readonly Deviation[]
}

export interface Conformance {
  readonly completed: number
  readonly conforming: number
  /** conforming / completed; null when nothing completed. */
  readonly rate: number | null
  readonly lowSample: boolean
  /** False when the flow has no edges: out_of_sequence is not checked. */
  readonly edgesChecked: boolean
  readonly byKind: Readonly<Record<DeviationKind, DeviationCount>>
  readonly byEdge: readonly EdgeDeviations[]
  readonly byActivity: readonly ActivityDeviations[]
  /** completed - conforming: the length of the full list. */
  readonly total: number
  readonly instances: readonly NonConformingInstance[]
}

const isDeviationKind = (kind: string): kind is DeviationKind => DEVIATION_KINDS.some((k) => k === kind)

/** (kind, from, to, occurrences, gapNs, meanNs, sigmaNs): `from` holds the activity of a one-milestone deviation. */
type DeviationTuple = [string, string, string, string, string, number, number]

const DEVIATION_TYPE = 'Tuple(String, String, String, UInt64, Int64, Float64, Float64)'
const deviation = (kind: string, from: string, to = "''", occurrences = '0', gapNs = '0', meanNs = '0', sigmaNs = '0'): string =>
  `CAST(('${kind}', ${from}, ${to}, ${occurrences}, ${gapNs}, ${meanNs}, ${sigmaNs}), '${DEVIATION_TYPE}')`

function judgedCte(scope: ConformanceScope, withKeys: boolean): { sql: string; params: Record<string, unknown> } {
  const { definition, window } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: window.fromNs - lookback,
    eventsToNs: window.toNs,
    withKeys,
  })
  const occurrences = occurrencesCte(definition)
  const params = {
    ...facts.params,
    ...occurrences.params,
    starts: [...definition.start],
    ends: definition.terminal.map((t) => t.milestone),
    mandatory: [...definition.flow.mandatory],
    edgeFrom: definition.flow.edges.map((e) => e.from),
    edgeTo: definition.flow.edges.map((e) => e.to),
    checkEdges: definition.flow.edges.length > 0,
    mayRepeat: [...definition.rework.mayRepeat],
    nMin: definition.nMin,
    windowFrom: window.fromNs.toString(),
    windowTo: window.toNs.toString(),
  }
  const sql = `${facts.sql}, ${occurrences.sql},
    traces AS (
      SELECT instance, arrayMap(e -> (e.1, e.4), arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone)))) AS seq
      FROM occurrences GROUP BY instance
    ),
    -- Every consecutive pair of every instance read: the history each edge's gaps are judged by.
    steps AS (
      SELECT instance, pair.1.2 AS a, pair.2.2 AS b, toUnixTimestamp64Nano(pair.2.1) - toUnixTimestamp64Nano(pair.1.1) AS gapNs
      FROM traces ARRAY JOIN arrayZip(arrayPopBack(seq), arrayPopFront(seq)) AS pair
    ),
    edge_stats AS (SELECT a, b, count() AS n, avg(gapNs) AS mean, stddevPop(gapNs) AS sigma FROM steps GROUP BY a, b),
    completed AS (
      SELECT instance, endNs${withKeys ? ', keys' : ''} FROM facts
      WHERE outcome = 'completed' AND endNs >= {windowFrom:Int64} AND endNs < {windowTo:Int64}
    ),
    control AS (
      SELECT instance, arrayMap(e -> e.2, seq) AS acts, arrayZip(arrayPopBack(acts), arrayPopFront(acts)) AS pairs,
             arrayConcat(
               if(has({starts:Array(String)}, acts[1]), [], [${deviation('wrong_start', 'acts[1]')}]),
               if(has({ends:Array(String)}, acts[-1]), [], [${deviation('wrong_end', 'acts[-1]')}]),
               arrayMap(m -> ${deviation('skipped', 'm')}, arrayFilter(m -> NOT has(acts, m), {mandatory:Array(String)})),
               arrayMap(p -> ${deviation('out_of_sequence', 'p.1', 'p.2')},
                        arrayFilter(p -> {checkEdges:Bool} AND NOT has(arrayZip({edgeFrom:Array(String)}, {edgeTo:Array(String)}), p), pairs))
             ) AS devs
      FROM traces WHERE instance IN (SELECT instance FROM completed)
    ),
    -- Repeats as K8 counts them: per child for a child milestone; may_repeat milestones exempt.
    too_often AS (
      SELECT instance, groupArray(${deviation('occurred_too_often', 'Milestone', "''", 'n')}) AS devs
      FROM (
        SELECT instance, Milestone, max(c) AS n FROM (
          SELECT instance, Milestone, childKey, count() AS c FROM occurrences
          WHERE instance IN (SELECT instance FROM completed) AND NOT has({mayRepeat:Array(String)}, Milestone)
          GROUP BY instance, Milestone, childKey)
        GROUP BY instance, Milestone HAVING n > 1
      )
      GROUP BY instance
    ),
    temporal AS (
      SELECT s.instance AS instance, groupArray(${deviation('temporal', 's.a', 's.b', '0', 's.gapNs', 'e.mean', 'e.sigma')}) AS devs
      FROM steps AS s INNER JOIN edge_stats AS e ON e.a = s.a AND e.b = s.b
      WHERE s.instance IN (SELECT instance FROM completed) AND e.n >= {nMin:UInt32} AND e.sigma > 0 AND abs(s.gapNs - e.mean) > 2 * e.sigma
      GROUP BY s.instance
    ),
    judged AS (
      SELECT c.instance AS instance, c.endNs AS endNs${withKeys ? ', c.keys AS keys' : ''},
             arrayConcat(ctl.devs, o.devs) AS flowDevs, arraySort(arrayConcat(flowDevs, t.devs)) AS allDevs, empty(flowDevs) AS conforming
      FROM completed AS c
      LEFT JOIN control AS ctl ON ctl.instance = c.instance
      LEFT JOIN too_often AS o ON o.instance = c.instance
      LEFT JOIN temporal AS t ON t.instance = c.instance
    )`
  return { sql, params }
}

interface CountRow {
  g: number
  kind: string
  dfrom: string
  dto: string
  instances: string
  deviations: string
  conforming: string
}

interface InstanceRow {
  instance: string
  keys: string[]
  endNs: string
  allDevs: DeviationTuple[]
}

function deviationOf([kind, from, to, occurrences, gapNs, meanNs, sigmaNs]: DeviationTuple): Deviation {
  switch (kind) {
    case 'out_of_sequence':
      return { kind, from, to }
    case 'temporal':
      return { kind, from, to, gapSeconds: Number(gapNs) / 1e9, meanSeconds: meanNs / 1e9, sigmaSeconds: sigmaNs / 1e9 }
    case 'occurred_too_often':
      return { kind, activity: from, occurrences: Number(occurrences) }
    case 'skipped':
    case 'wrong_start':
    case 'wrong_end':
      return { kind, activity: from }
    default:
      throw new Error(`conformance: unknown deviation kind '${kind}'`)
  }
}

/**
 * The SQL of the deviation counts: rows (g, kind, dfrom, dto, instances, deviations, conforming)
 * at three levels. grouping() sets a bit per argument NOT grouped by (standard SQL): all
 * instances g = 7, per kind g = 3, per kind and edge or activity g = 0.
 */
export function conformanceCountsQuery(scope: ConformanceScope): KpiQuery {
  const summary = judgedCte(scope, false)
  return {
    sql: `WITH ${summary.sql}
     SELECT toUInt8(grouping(kind, dfrom, dto)) AS g, kind, dfrom, dto, uniqExact(instance) AS instances,
            countIf(kind != '') AS deviations, uniqExactIf(instance, conforming) AS conforming
     FROM (SELECT instance, conforming, d.1 AS kind, d.2 AS dfrom, d.3 AS dto FROM judged LEFT ARRAY JOIN allDevs AS d)
     GROUP BY GROUPING SETS ((), (kind), (kind, dfrom, dto))`,
    params: summary.params,
  }
}

export async function conformance(store: StoreConnection, scope: ConformanceScope): Promise<Conformance> {
  const { definition } = scope
  const countsQuery = conformanceCountsQuery(scope)
  const counts = await queryRows<CountRow>(store, countsQuery.sql, countsQuery.params, { tag: 'kpi.conformance.summary' })
  const list = judgedCte(scope, true)
  const rows = await queryRows<InstanceRow>(
    store,
    `WITH ${list.sql}
     SELECT instance, arraySort(keys) AS keys, toString(endNs) AS endNs, allDevs FROM judged WHERE NOT conforming
     ORDER BY endNs DESC, instance LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...list.params, limit: scope.limit ?? 100, offset: scope.offset ?? 0 },
    { tag: 'kpi.conformance.instances' },
  )
  const totals = counts.find((r) => r.g === 7)
  const completed = Number(totals?.instances ?? 0)
  const conforming = Number(totals?.conforming ?? 0)
  const none = { deviations: 0, instances: 0 }
  const byKind: Record<DeviationKind, DeviationCount> = {
    skipped: none,
    out_of_sequence: none,
    occurred_too_often: none,
    wrong_start: none,
    wrong_end: none,
    temporal: none,
  }
  for (const r of counts) {
    if (r.g === 3 && isDeviationKind(r.kind)) byKind[r.kind] = { deviations: Number(r.deviations), instances: Number(r.instances) }
  }
  const detail = counts.filter((r) => r.g === 0 && r.kind !== '')
  const edges = new Map<string, { from: string; to: string; outOfSequence: number; temporal: number }>()
  const activities = new Map<string, { activity: string; skipped: number; occurredTooOften: number; wrongStart: number; wrongEnd: number }>()
  for (const r of detail) {
    const n = Number(r.deviations)
    if (r.kind === 'out_of_sequence' || r.kind === 'temporal') {
      const key = JSON.stringify([r.dfrom, r.dto])
      const edge = edges.get(key) ?? { from: r.dfrom, to: r.dto, outOfSequence: 0, temporal: 0 }
      if (r.kind === 'out_of_sequence') edge.outOfSequence += n
      else edge.temporal += n
      edges.set(key, edge)
    } else {
      const activity = activities.get(r.dfrom) ?? { activity: r.dfrom, skipped: 0, occurredTooOften: 0, wrongStart: 0, wrongEnd: 0 }
      if (r.kind === 'skipped') activity.skipped += n
      else if (r.kind === 'occurred_too_often') activity.occurredTooOften += n
      else if (r.kind === 'wrong_start') activity.wrongStart += n
      else activity.wrongEnd += n
      activities.set(r.dfrom, activity)
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return {
    completed,
    conforming,
    rate: completed === 0 ? null : conforming / completed,
    lowSample: completed < definition.nMin,
    edgesChecked: definition.flow.edges.length > 0,
    byKind,
    byEdge: [...edges.values()].sort((a, b) => b.outOfSequence + b.temporal - (a.outOfSequence + a.temporal) || byName(a.from, b.from) || byName(a.to, b.to)),
    byActivity: [...activities.values()].sort(
      (a, b) =>
        b.skipped + b.occurredTooOften + b.wrongStart + b.wrongEnd - (a.skipped + a.occurredTooOften + a.wrongStart + a.wrongEnd) ||
        byName(a.activity, b.activity),
    ),
    total: completed - conforming,
    instances: rows.map((r) => ({
      instance: r.instance,
      keys: r.keys,
      completedAt: new Date(Number(BigInt(r.endNs) / 1_000_000n)).toISOString(),
      deviations: r.allDevs.map(deviationOf),
    })),
  }
}
