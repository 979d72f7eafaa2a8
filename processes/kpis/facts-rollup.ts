// The facts rollup (instance_facts, ADR 0005): the per-instance facts of instance-facts.ts,
// written for the instances a derive pass (or an import) touched, so the instance KPIs read
// one row per instance instead of recomputing every instance from its events on each call.
// One implementation: the rows are the facts CTE's own output, with every milestone's first
// reach and every attribute's latest value kept, so any KPI's reaches and attributes can be
// read back (facts-rollup-read.ts).
import { command, queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { DEFAULT_LOOKBACK_NS } from './cycle-time.ts'
import { instanceFactsCte } from './instance-facts.ts'

/** What to recompute: instances (root key values) and how far back their events may lie. */
export interface FactsRefresh {
  readonly instances: Iterable<string>
  /** The earliest business time (ns) of the events that touched them; their events are read from this minus the lookback. */
  readonly earliestNs: bigint
}

export interface FactsRefreshOptions {
  /** How long before the earliest touching event an instance's other events may lie (default 90 d, as the KPIs). */
  readonly lookbackNs?: bigint
}

/** Instances per INSERT: bounded so the bound array and the statement stay small. */
const REFRESH_CHUNK = 2_000

let lastVersion = 0n

/** Versions increase within this process even when the clock does not move between two writes. */
function nextVersion(): bigint {
  const now = BigInt(Date.now()) * 1_000_000n
  lastVersion = now > lastVersion ? now : lastVersion + 1n
  return lastVersion
}

const ROLLUP_COLUMNS =
  'Process, Instance, Version, Events, FirstNs, LastNs, LastMilestone, LastSystem, ProcessVersion, StartNs, EndNs, Outcome, Cancelled, Errors, Retries, ReworkEvents, PausedNs, PausedSinceNs, Value, Currency, Reached, Attrs, KeyValues, Trace, Removed'

/**
 * The INSERT ... SELECT that rewrites the rows of `instances` (a touched instance without events
 * any more is written Removed), or, without `instances`, of every instance with an event in the window.
 */
function refreshStatement(
  definition: ProcessDefinition,
  scope: {
    readonly instances?: readonly string[]
    readonly fromNs: bigint
    readonly activeFromNs?: bigint
    /** A rebuild in parts: only the instances whose hash falls in this part. */
    readonly part?: { readonly index: number; readonly of: number }
  },
): { sql: string; params: Record<string, unknown> } {
  const milestones = definition.milestones.map((m) => m.name)
  const facts = instanceFactsCte({
    definition,
    eventsFromNs: scope.fromNs,
    ...(scope.instances !== undefined ? { instances: scope.instances } : {}),
    reaches: milestones.map((m) => [m]),
    withKeys: true,
    withAllAttributes: true,
    withTrace: true,
  })
  const reaches = `[${milestones.map((_, i) => `f.reach_${i}`).join(', ')}]`
  const source =
    scope.instances === undefined
      ? 'facts AS f WHERE f.lastNs >= {activeFromNs:Int64} AND cityHash64(f.instance) % {parts:UInt32} = {part:UInt32}'
      : `(SELECT arrayJoin({instances:Array(String)}) AS instance) AS touched
     LEFT JOIN (SELECT * FROM facts WHERE instance IN {instances:Array(String)}) AS f ON f.instance = touched.instance`
  return {
    sql: `INSERT INTO instance_facts (${ROLLUP_COLUMNS})
     WITH ${facts.sql}
     SELECT {process:String}, ${scope.instances === undefined ? 'f.instance' : 'touched.instance'}, {version:UInt64}, f.events, f.firstNs, f.lastNs,
            f.lastMilestone, f.lastSystem, f.processVersion, f.startNs, f.endNs, f.outcome, f.cancelled, f.errors, f.retries, f.reworkEvents, f.pausedNs,
            f.pausedSinceNs, f.value, f.currency,
            mapFromArrays(arrayFilter((m, t) -> isNotNull(t), {milestones:Array(String)}, ${reaches}),
                          arrayMap(t -> assumeNotNull(t), arrayFilter(t -> isNotNull(t), ${reaches}))),
            f.attrsLatest, f.keys, f.trace, f.instance = '' AS removed
     FROM ${source}
     SETTINGS join_use_nulls = 0`,
    params: {
      ...facts.params,
      process: definition.name,
      ...(scope.instances !== undefined
        ? { instances: scope.instances }
        : { activeFromNs: (scope.activeFromNs ?? scope.fromNs).toString(), parts: scope.part?.of ?? 1, part: scope.part?.index ?? 0 }),
      milestones,
      version: nextVersion().toString(),
    },
  }
}

/** Rewrites the rollup rows of the touched instances from their events. Returns how many were written. */
export async function refreshInstanceFacts(
  store: StoreConnection,
  definition: ProcessDefinition,
  refresh: FactsRefresh,
  options: FactsRefreshOptions = {},
): Promise<number> {
  const instances = [...new Set(refresh.instances)].filter((i) => i !== '').sort()
  const fromNs = refresh.earliestNs - (options.lookbackNs ?? DEFAULT_LOOKBACK_NS)
  for (let i = 0; i < instances.length; i += REFRESH_CHUNK) {
    const statement = refreshStatement(definition, { instances: instances.slice(i, i + REFRESH_CHUNK), fromNs })
    await command(store, statement.sql, statement.params, { tag: 'facts-rollup.refresh' })
  }
  return instances.length
}

/** Events per rebuild part: bounds the memory of one GROUP BY (about 10 GiB for 10 M events in one). */
const REBUILD_EVENTS_PER_PART = 2_000_000

/**
 * Rebuilds the rows of every instance with an event at or after `fromNs` (an import, a
 * backfill, the first start on existing data), reading their events from the lookback before
 * it; in parts by instance hash when there are many events, so memory stays bounded (each part
 * reads the events again). Instances that lost all their events are not marked Removed here:
 * the deriver's refresh does that as it sees them.
 */
export async function rebuildInstanceFacts(
  store: StoreConnection,
  definition: ProcessDefinition,
  fromNs: bigint,
  options: FactsRefreshOptions & { readonly eventsPerPart?: number } = {},
): Promise<number> {
  const readFromNs = fromNs - (options.lookbackNs ?? DEFAULT_LOOKBACK_NS)
  const [events] = await queryRows<{ n: string }>(
    store,
    "SELECT count() AS n FROM business_events WHERE Process = {process:String} AND Ts >= fromUnixTimestamp64Nano({fromNs:Int64}, 'UTC')",
    { process: definition.name, fromNs: readFromNs.toString() },
    { tag: 'facts-rollup.rebuild-size' },
  )
  const parts = Math.max(1, Math.ceil(Number(events?.n ?? 0) / (options.eventsPerPart ?? REBUILD_EVENTS_PER_PART)))
  let written = 0
  for (let index = 0; index < parts; index++) {
    const statement = refreshStatement(definition, { fromNs: readFromNs, activeFromNs: fromNs, part: { index, of: parts } })
    await command(store, statement.sql, statement.params, { tag: 'facts-rollup.rebuild' })
    const [row] = await queryRows<{ n: string }>(
      store,
      'SELECT count() AS n FROM instance_facts WHERE Process = {process:String} AND Version = {version:UInt64}',
      { process: definition.name, version: String(statement.params.version) },
      { tag: 'facts-rollup.rebuild-count' },
    )
    written += Number(row?.n ?? 0)
  }
  return written
}
