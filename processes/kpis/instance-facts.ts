// Per instance, the facts every instance KPI (K1 cycle time, K4 stuck, K5 SLA, K6 first-pass
// yield) reads, computed in one GROUP BY over member_events with the definition's milestones
// as bound parameters: when it started (the first start milestone), when and how it ended (the
// first terminal milestone reached, a child milestone counting as reached per the child's
// completion policy), its last progress and last milestone, its value, and error/retry counts.
import type { QueryParams } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { rollupFactsCte } from './facts-rollup-read.ts'
import { instanceFilterSql, type InstanceFilter } from './instance-filter.ts'
import { memberEventsCte } from './instance-events.ts'

export interface FactsScope {
  readonly definition: ProcessDefinition
  /** Events from this business time on (ns); instances older than that are seen in part. */
  readonly eventsFromNs?: bigint
  readonly eventsToNs?: bigint
  /** Attributes to carry per instance (the latest value), e.g. an SLA's by_attribute. */
  readonly attributes?: readonly string[]
  /** Milestone sets whose first reach to carry as `reach_<i>` (ns or NULL), e.g. an SLA's from and to. */
  readonly reaches?: ReadonlyArray<readonly string[]>
  /** Carry `keys`: every key of the instance's events as 'type=value' (for lists, not for totals). */
  readonly withKeys?: boolean
  /** Carry `attrsLatest`: every attribute's latest value over the instance's events (the rollup keeps them all). */
  readonly withAllAttributes?: boolean
  /** Carry `trace`: the events in order as (ts ns, milestone). */
  readonly withTrace?: boolean
  /** Only these instances (root key values): what the facts rollup recomputes. */
  readonly instances?: readonly string[]
  /**
   * Where the facts come from: recomputed from the events (default), or read from the facts
   * rollup the deriver keeps (ADR 0005), one row per instance: the same columns, far cheaper.
   * The rollup holds each instance as of its latest event, so it answers "as of now".
   */
  readonly source?: FactsSource | undefined
  readonly filter?: InstanceFilter | undefined
}

export type FactsSource = 'events' | 'rollup'

/** How far before now an answer may be "as of" and still read the rollup (ADR 0005). */
export const ROLLUP_AS_OF_SLACK_MS = 60_000

/**
 * The facts an answer as of `asOfMs` reads: the rollup, where one is kept, only for an answer
 * as of (about) now, since it holds every instance as of its latest event; a past as_of (an
 * API query, an anomaly baseline, a late-data replay, a rule unit test) recomputes its facts
 * from the events as of then.
 */
export function factsSourceAsOf(kept: FactsSource | undefined, asOfMs: number, nowMs: number): FactsSource {
  return kept === 'rollup' && asOfMs >= nowMs - ROLLUP_AS_OF_SLACK_MS ? 'rollup' : 'events'
}

/**
 * The time a milestone was reached: its first occurrence, or for a child milestone (one per
 * delivery) the time the policy is met: `all` = the last child's first occurrence once every
 * child seen has one, `any` = the first child's. Nanoseconds (Int64), NULL when not reached.
 */
function reachedNs(definition: ProcessDefinition, milestone: string, param: string, params: Record<string, unknown>): string {
  params[param] = milestone
  const child = definition.children.find((c) => c.milestones.some((m) => m === milestone))
  if (child === undefined) return `minIfOrNull(toUnixTimestamp64Nano(Ts), Milestone = {${param}:String})`
  params[`${param}Key`] = child.keyType
  const key = `{${param}Key:String}`
  const firstPerChild = `minMapIf(map(Keys[${key}], toUnixTimestamp64Nano(Ts)), Milestone = {${param}:String} AND mapContains(Keys, ${key}))`
  const children = `groupUniqArrayIf(Keys[${key}], mapContains(Keys, ${key}))`
  if (child.completion === 'any') return `if(empty(mapValues(${firstPerChild})), NULL, arrayMin(mapValues(${firstPerChild})))`
  return `if(empty(mapValues(${firstPerChild})) OR length(mapKeys(${firstPerChild})) < length(${children}), NULL, arrayMax(mapValues(${firstPerChild})))`
}

/**
 * The CTEs of memberEventsCte plus `facts`, one row per instance with: instance, events,
 * firstNs, lastNs (last progress), lastMilestone, lastSystem, startNs (NULL: left-censored),
 * endNs and outcome (NULL/'' while open), cancelled, errors, retries, reworkEvents, pausedNs (closed paused
 * intervals), pausedSinceNs (set while paused now), value (Decimal, NULL
 * without one), currency, and `attr_<i>` for each requested attribute.
 */
export function instanceFactsCte(scope: FactsScope): { readonly sql: string; readonly params: QueryParams } {
  const { definition } = scope
  if (scope.source === 'rollup') {
    if (scope.instances !== undefined) throw new Error('the facts rollup is read whole; instances are for recomputing it')
    return rollupFactsCte(scope)
  }
  const members = memberEventsCte({
    process: definition.name,
    rootKey: definition.rootKey,
    ...(scope.eventsFromNs !== undefined ? { fromNs: scope.eventsFromNs } : {}),
    ...(scope.eventsToNs !== undefined ? { toNs: scope.eventsToNs } : {}),
    ...(scope.instances !== undefined ? { instances: scope.instances } : {}),
  })
  const childMilestones = definition.children.flatMap((c) => c.milestones)
  const params: Record<string, unknown> = {
    ...members.params,
    startMilestones: [...definition.start],
    reworkActivities: [...definition.rework.reworkActivities],
    // Milestones that may occur more than once without being rework: allowed repeats, and
    // child milestones (one per delivery).
    repeatable: [...new Set([...definition.rework.mayRepeat, ...childMilestones])],
  }
  const terminals = definition.terminal.map((t, i) => {
    params[`outcome${i}`] = t.outcome
    return `(${reachedNs(definition, t.milestone, `terminal${i}`, params)}, {outcome${i}:String})`
  })
  const valueAttribute = definition.value?.attribute ?? ''
  params.valueAttribute = valueAttribute
  const currency = definition.value?.currency
  params.currencyFixed = currency?.kind === 'fixed' ? currency.code : ''
  params.currencyAttribute = currency?.kind === 'attribute' ? currency.attribute : ''
  const extra = (scope.attributes ?? []).map((attribute, i) => {
    params[`attr${i}`] = attribute
    return `, argMaxIf(Attrs[{attr${i}:String}], (Ts, ObservedTs, EventId), mapContains(Attrs, {attr${i}:String})) AS attr_${i}`
  })
  const reaches = (scope.reaches ?? []).map((milestones, i) => {
    const times = milestones.map((milestone, j) => reachedNs(definition, milestone, `reach${i}m${j}`, params))
    return `, arrayFilter(x -> isNotNull(x), [${times.join(', ')}]) AS reachSet_${i}`
  })
  const reachColumns = reaches.map((_, i) => `, if(empty(reachSet_${i}), NULL, arrayMin(reachSet_${i})) AS reach_${i}`).join('')
  // Later events' values overwrite earlier ones: a left fold of mapUpdate in event order.
  const allAttributes =
    scope.withAllAttributes === true
      ? `, arrayFold((acc, e) -> mapUpdate(acc, e.4), arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, CAST(Attrs, 'Map(String, String)')))),
                    CAST(map(), 'Map(String, String)')) AS attrsLatest`
      : ''
  const trace =
    scope.withTrace === true
      ? ', arrayMap(e -> (toUnixTimestamp64Nano(e.1), toString(e.4)), arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone)))) AS trace'
      : ''
  const keys = scope.withKeys === true ? ", groupUniqArrayArray(arrayMap((k, v) -> concat(k, '=', v), mapKeys(Keys), mapValues(Keys))) AS keys" : ''
  const filterAttributes = Object.keys(scope.filter?.attributes ?? {}).map(
    (_, i) => `, argMaxIf(Attrs[{filterAttr${i}:String}], (Ts, ObservedTs, EventId), mapContains(Attrs, {filterAttr${i}:String})) AS filterAttr_${i}`,
  )
  const where = instanceFilterSql(scope.filter, (param) => `filterAttr_${param.slice('filterAttr'.length)}`, params)
  const terminalArray = terminals.length === 0 ? "CAST([], 'Array(Tuple(Nullable(Int64), String))')" : `[${terminals.join(', ')}]`
  return {
    sql: `${members.sql},
    facts_raw AS (
      SELECT instance, count() AS events,
             min(toUnixTimestamp64Nano(Ts)) AS firstNs, max(toUnixTimestamp64Nano(Ts)) AS lastNs,
             argMax(Milestone, (Ts, ObservedTs, EventId)) AS lastMilestone,
             argMax(System, (Ts, ObservedTs, EventId)) AS lastSystem,
             argMax(ProcessVersion, (Ts, ObservedTs, EventId)) AS processVersion,
             minIfOrNull(toUnixTimestamp64Nano(Ts), Milestone IN {startMilestones:Array(String)}) AS startNs,
             arrayFilter(t -> isNotNull(t.1), ${terminalArray}) AS reachedTerminals,
             countIf(Status = 'cancelled') > 0 AS cancelledStatus,
             -- Paused intervals (kpis.md: paused time does not count): paused/resumed alternate,
             -- so their total is sum(resumes) - sum(pauses); Int128 because ns sums overflow Int64.
             countIf(Status = 'paused') AS pauses, countIf(Status = 'resumed') AS resumes,
             sumIf(toInt128(toUnixTimestamp64Nano(Ts)), Status = 'paused') AS pauseSum,
             sumIf(toInt128(toUnixTimestamp64Nano(Ts)), Status = 'resumed') AS resumeSum,
             maxIf(toUnixTimestamp64Nano(Ts), Status = 'paused') AS lastPauseNs,
             countIf(Status = 'error') AS errors,
             countIf(Status = 'retry' OR Attempt > 1) AS retries,
             -- K8: a designated rework activity, or a milestone repeated where it may not be;
             -- a retry of one operation (attempt > 1) is a retry, not a repeat.
             groupArrayIf(Milestone, NOT has({repeatable:Array(String)}, Milestone) AND Attempt <= 1) AS onceOnly,
             countIf(Milestone IN {reworkActivities:Array(String)}) + length(onceOnly) - length(arrayDistinct(onceOnly)) AS reworkEvents,
             toDecimal128OrNull(argMaxIf(Attrs[{valueAttribute:String}], (Ts, ObservedTs, EventId), mapContains(Attrs, {valueAttribute:String})), 6) AS value,
             if({currencyFixed:String} != '', {currencyFixed:String},
                argMaxIf(Attrs[{currencyAttribute:String}], (Ts, ObservedTs, EventId), mapContains(Attrs, {currencyAttribute:String}))) AS currency
             ${extra.join('')}${reaches.join('')}${keys}${allAttributes}${trace}${filterAttributes.join('')}
      FROM member_events
      GROUP BY instance
    ),
    facts AS (
      SELECT *,
             if(empty(reachedTerminals), NULL, arraySort(reachedTerminals)[1].1) AS endNs,
             if(empty(reachedTerminals), '', arraySort(reachedTerminals)[1].2) AS outcome,
             outcome = 'cancelled' OR (cancelledStatus AND outcome = '') AS cancelled${reachColumns},
             toInt64(multiIf(pauses = resumes, resumeSum - pauseSum, pauses = resumes + 1, resumeSum - (pauseSum - lastPauseNs), 0)) AS pausedNs,
             if(pauses = resumes + 1, lastPauseNs, NULL) AS pausedSinceNs
      FROM facts_raw
      ${where}
    )`,
    params,
  }
}
