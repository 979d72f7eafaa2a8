// The `facts` CTE read from the facts rollup (instance_facts) instead of recomputed from the
// events: the same columns as instance-facts.ts produces, so a KPI statement runs unchanged on
// either. The member_events CTE comes along for the statements that also read events.
import type { QueryParams } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { memberEventsCte } from './instance-events.ts'
import { instanceFilterSql, type InstanceFilter } from './instance-filter.ts'

export interface RollupFactsScope {
  readonly definition: ProcessDefinition
  readonly eventsFromNs?: bigint
  readonly eventsToNs?: bigint
  readonly attributes?: readonly string[]
  readonly reaches?: ReadonlyArray<readonly string[]>
  readonly withKeys?: boolean
  readonly withAllAttributes?: boolean
  readonly withTrace?: boolean
  readonly filter?: InstanceFilter | undefined
}

const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n

/**
 * Instances with an event in [eventsFromNs, eventsToNs), as the events path selects them; unlike
 * it, an instance's facts cover all its events, also those before the lookback (it is not
 * seen left-censored because it started long ago).
 */
export function rollupFactsCte(scope: RollupFactsScope): { readonly sql: string; readonly params: QueryParams } {
  const { definition } = scope
  const members = memberEventsCte({
    process: definition.name,
    rootKey: definition.rootKey,
    ...(scope.eventsFromNs !== undefined ? { fromNs: scope.eventsFromNs } : {}),
    ...(scope.eventsToNs !== undefined ? { toNs: scope.eventsToNs } : {}),
  })
  const params: Record<string, unknown> = {
    ...members.params,
    rollupFrom: (scope.eventsFromNs ?? INT64_MIN).toString(),
    rollupTo: (scope.eventsToNs ?? INT64_MAX).toString(),
  }
  const attributes = (scope.attributes ?? []).map((attribute, i) => {
    params[`attr${i}`] = attribute
    return `, Attrs[{attr${i}:String}] AS attr_${i}`
  })
  const reaches = (scope.reaches ?? []).map((milestones, i) => {
    const times = milestones.map((milestone, j) => {
      params[`reach${i}m${j}`] = milestone
      return `if(mapContains(Reached, {reach${i}m${j}:String}), toNullable(Reached[{reach${i}m${j}:String}]), NULL)`
    })
    return `, arrayFilter(x -> isNotNull(x), [${times.join(', ')}]) AS reachSet_${i}, if(empty(reachSet_${i}), NULL, arrayMin(reachSet_${i})) AS reach_${i}`
  })
  // The filter reads the same columns the events path computes (latest value, latest version).
  const where = instanceFilterSql(scope.filter, (param) => `attrsOf[{${param}:String}]`, params)
  return {
    sql: `${members.sql},
    rollup_facts AS (
      -- Counts as UInt64, as the events path computes them.
      SELECT Instance AS instance, toUInt64(Events) AS events, FirstNs AS firstNs, LastNs AS lastNs, LastMilestone AS lastMilestone,
             LastSystem AS lastSystem, ProcessVersion AS processVersion, StartNs AS startNs, EndNs AS endNs, Outcome AS outcome, Cancelled AS cancelled,
             toUInt64(Errors) AS errors, toUInt64(Retries) AS retries, toUInt64(ReworkEvents) AS reworkEvents, PausedNs AS pausedNs, PausedSinceNs AS pausedSinceNs,
             Value AS value, Currency AS currency, CAST(Attrs, 'Map(String, String)') AS attrsOf${attributes.join('')}${reaches.join('')}${scope.withKeys === true ? ', KeyValues AS keys' : ''}${
               scope.withAllAttributes === true ? ", CAST(Attrs, 'Map(String, String)') AS attrsLatest" : ''
             }${scope.withTrace === true ? ", CAST(Trace, 'Array(Tuple(Int64, String))') AS trace" : ''}
      FROM instance_facts FINAL
      WHERE Process = {process:String} AND NOT Removed AND LastNs >= {rollupFrom:Int64} AND FirstNs < {rollupTo:Int64}
    ),
    facts AS (SELECT * FROM rollup_facts ${where})`,
    params,
  }
}
