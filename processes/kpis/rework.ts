// K8, rework (kpis.md): a milestone that occurs more than once in an instance (unless the
// definition lets it repeat) or any occurrence of a designated rework activity. Rate over the
// instances completed in the window. One occurrence per operation: the retries of one
// operation id are retries, not rework; a child milestone occurs once per child.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'

export interface ReworkScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly lookbackNs?: bigint
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export type ReworkKind = 'repeated' | 'rework_activity'

export interface ReworkActivity {
  readonly activity: string
  readonly kind: ReworkKind
  /** Completed instances with rework on this activity. */
  readonly instances: number
  /** Rework occurrences: every one of a rework activity, every one after the first of a repeat (per child). */
  readonly occurrences: number
}

export interface Rework {
  /** Instances that completed (a `completed` terminal) in the window. */
  readonly completed: number
  /** Of those, the ones with any rework. */
  readonly reworked: number
  /** reworked / completed; null when nothing completed. */
  readonly rate: number | null
  /** completed < the definition's n_min. */
  readonly lowSample: boolean
  /** Most reworked instances first. */
  readonly activities: readonly ReworkActivity[]
}

/**
 * The CTE `occurrences (instance, Milestone, Ts, ObservedTs, EventId, childKey)` over
 * `member_events` (which must precede it): one row per occurrence of a milestone. Events of one
 * non-empty operation id and milestone collapse into the first (retries); `childKey` is the
 * child's key for a child milestone (one occurrence per child is no repeat), '' otherwise.
 * K9 conformance reads the same occurrences.
 */
export function occurrencesCte(definition: ProcessDefinition): { readonly sql: string; readonly params: Record<string, unknown> } {
  const childKeyOf: Record<string, string> = {}
  for (const child of definition.children) for (const milestone of child.milestones) childKeyOf[milestone] = child.keyType
  return {
    sql: `occurrences AS (
      SELECT instance, Milestone, Ts, ObservedTs, EventId,
             if(mapContains({childKeyOf:Map(String, String)}, Milestone), Keys[{childKeyOf:Map(String, String)}[Milestone]], '') AS childKey
      FROM member_events
      ORDER BY instance, Milestone, if(OperationId != '', OperationId, EventId), OperationId != '', Ts, ObservedTs, EventId
      LIMIT 1 BY instance, Milestone, if(OperationId != '', OperationId, EventId), OperationId != ''
    )`,
    params: { childKeyOf },
  }
}

interface ReworkRow {
  completed: string
  reworked: string
  /** (activity, kind, instances, occurrences) */
  activities: Array<[string, ReworkKind, string, string]>
}

export async function rework(store: StoreConnection, scope: ReworkScope): Promise<Rework> {
  const { definition, window } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const facts = instanceFactsCte({ definition, source: scope.facts, filter: scope.filter, eventsFromNs: window.fromNs - lookback, eventsToNs: window.toNs })
  const occurrences = occurrencesCte(definition)
  const params = {
    ...facts.params,
    ...occurrences.params,
    mayRepeat: [...definition.rework.mayRepeat],
    reworkActivities: [...definition.rework.reworkActivities],
    windowFrom: window.fromNs.toString(),
    windowTo: window.toNs.toString(),
  }
  const [row] = await queryRows<ReworkRow>(
    store,
    `WITH ${facts.sql}, ${occurrences.sql},
     completed AS (SELECT instance FROM facts WHERE outcome = 'completed' AND endNs >= {windowFrom:Int64} AND endNs < {windowTo:Int64}),
     per_child AS (
       SELECT instance, Milestone, childKey, count() AS n FROM occurrences
       WHERE instance IN (SELECT instance FROM completed) GROUP BY instance, Milestone, childKey
     ),
     per_activity AS (
       SELECT instance, Milestone, has({reworkActivities:Array(String)}, Milestone) AS designated,
              NOT has({mayRepeat:Array(String)}, Milestone) AND max(n) > 1 AS repeated,
              if(designated, sum(n), toUInt64(sum(n) - count())) AS reworkOccurrences
       FROM per_child GROUP BY instance, Milestone
     ),
     flagged AS (SELECT * FROM per_activity WHERE designated OR repeated)
     SELECT (SELECT count() FROM completed) AS completed,
            (SELECT uniqExact(instance) FROM flagged) AS reworked,
            (SELECT groupArray((Milestone, if(designated, 'rework_activity', 'repeated'), toString(instances), toString(occurrences))) FROM (
               SELECT Milestone, any(designated) AS designated, uniqExact(instance) AS instances, sum(reworkOccurrences) AS occurrences
               FROM flagged GROUP BY Milestone ORDER BY instances DESC, Milestone)) AS activities`,
    params,
    { tag: 'kpi.rework' },
  )
  const completed = Number(row?.completed ?? 0)
  const reworked = Number(row?.reworked ?? 0)
  return {
    completed,
    reworked,
    rate: completed === 0 ? null : reworked / completed,
    lowSample: completed < definition.nMin,
    activities: (row?.activities ?? []).map(([activity, kind, instances, occurrences]) => ({
      activity,
      kind,
      instances: Number(instances),
      occurrences: Number(occurrences),
    })),
  }
}
