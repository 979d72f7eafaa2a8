// What a KPI measures over one window, per label set, before any rule judges it: the one place
// the threshold and anomaly kinds read the KPI functions of processes/kpis (the API's), so a
// threshold, an anomaly baseline and the dashboard can never disagree about a value.
import {
  cycleTime,
  factsSourceAsOf,
  instanceOutcomes,
  integrationHealth,
  slaAttainmentPerWindow,
  stuckInstances,
  queueBacklog,
  syncLag,
  type FactsSource,
  type IntegrationHealthRow,
  type ProcessDefinition,
  type QueueBacklog,
  type SlaAttainment,
  type SyncLagPair,
  type StuckAnswer,
} from '../processes/index.ts'
import type { StoreClient } from '../store/index.ts'
import { UNSHARED, type CycleMemo } from './cycle-memo.ts'
import type { Rule } from './model.ts'
import { PROCESS_KPI_NAMES, QUEUE_KPI_NAMES, SYNC_KPI_NAMES } from './schema.ts'

/** The fields of a threshold or anomaly rule that say what to measure. */
export interface KpiSpec {
  readonly kpi: string
  readonly process?: string
  readonly sla?: string
  readonly where: Readonly<Record<string, string>>
  readonly groupBy: readonly string[]
  readonly windowMs: number
  /** The rule's static labels; a measurement adds its group_by values (or `sla`). */
  readonly labels: Readonly<Record<string, string>>
}

export interface Measurement {
  readonly labels: Readonly<Record<string, string>>
  readonly value: number | null
  /** How many observations the value stands on (a count KPI is its own sample: Infinity). */
  readonly sample: number
  /**
   * A null value means "no data" (the rule's no_data policy) for the single-valued process
   * KPIs, and UNKNOWN elsewhere (a ratio with a zero denominator, a group without calls).
   */
  readonly nullIsNoData: boolean
}

/** What a measurement reads with: the store, the definitions, the facts kept, the cycle's shared answers. */
export interface MeasureContext {
  readonly store: StoreClient
  readonly definitions: ReadonlyMap<string, ProcessDefinition>
  /** 'rollup' where a deriver keeps the facts rollup (serve): read by evaluations at about now. */
  readonly facts?: FactsSource | undefined
  /** The engine's wall clock when the cycle began (default Date.now()): what "now" is to the rollup. */
  readonly nowMs?: number | undefined
  /** The cycle's shared answers (default: none shared). */
  readonly memo?: CycleMemo | undefined
  /** The rules of the engine's cycle: rules of one kind and process can share a statement (SLAs, absence). */
  readonly cycleRules?: readonly Rule[] | undefined
}

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const PROCESS_KPIS: ReadonlySet<string> = new Set(PROCESS_KPI_NAMES)
const SYNC_KPIS: ReadonlySet<string> = new Set(SYNC_KPI_NAMES)
const QUEUE_KPIS: ReadonlySet<string> = new Set(QUEUE_KPI_NAMES)

export const isProcessKpi = (kpi: string): boolean => PROCESS_KPIS.has(kpi)

export function definitionOf(definitions: ReadonlyMap<string, ProcessDefinition>, name: string): ProcessDefinition {
  const definition = definitions.get(name)
  if (definition === undefined) throw new Error(`process ${name} has no definition (was it removed?)`)
  return definition
}

/** The facts an evaluation at `atMs` reads: the rollup only at about now (processes/kpis factsSourceAsOf). */
export const factsFor = (ctx: MeasureContext, atMs: number): FactsSource => factsSourceAsOf(ctx.facts, atMs, ctx.nowMs ?? Date.now())

const memoOf = (ctx: MeasureContext): CycleMemo => ctx.memo ?? UNSHARED

/** The stuck KPI as of `atMs`, once per process per cycle (stuck rules, stuck_count thresholds). */
export function sharedStuck(ctx: MeasureContext, definition: ProcessDefinition, atMs: number): Promise<StuckAnswer> {
  const facts = factsFor(ctx, atMs)
  return memoOf(ctx).once(['stuck', definition.name, atMs, facts], () => stuckInstances(ctx.store, { definition, nowNs: ns(atMs), limit: 5, facts }))
}

/** How many at-risk or breached instances an SLA answer lists (alert samples show 5 of them). */
const SLA_LISTED = 100

/** The window sla_breach and sla_at_risk rules count deadlines in. */
export const SLA_RULES_WINDOW_MS = 30 * 86_400_000

/** The SLA windows the cycle's rules of this process ask for (and `windowMs`), ascending. */
function slaWindowsOfCycle(ctx: MeasureContext, process: string, windowMs: number): number[] {
  const windows = new Set([windowMs])
  for (const r of ctx.cycleRules ?? []) {
    if ((r.kind === 'threshold' || r.kind === 'anomaly') && r.kpi === 'sla_attainment' && r.process === process) windows.add(r.windowMs)
    if ((r.kind === 'sla_breach' || r.kind === 'sla_at_risk') && r.process === process) windows.add(SLA_RULES_WINDOW_MS)
  }
  return [...windows].sort((a, b) => a - b)
}

/**
 * Each SLA of the process (or only `only`) over the window ending at `atMs`. One statement per
 * cycle answers every SLA over every window the cycle's rules of the process ask for: the
 * deadlines are computed once and counted per window.
 */
export async function sharedSlas(ctx: MeasureContext, definition: ProcessDefinition, windowMs: number, atMs: number, only?: string): Promise<SlaAttainment[]> {
  const facts = factsFor(ctx, atMs)
  const windows = slaWindowsOfCycle(ctx, definition.name, windowMs)
  // A window holds its end: an instance due at the evaluation instant counts in it.
  const scope = { definition, window: { fromNs: ns(atMs - windowMs), toNs: ns(atMs) + 1n }, nowNs: ns(atMs), limit: SLA_LISTED, facts }
  const perWindow = await memoOf(ctx).once(['slas', definition.name, atMs, facts, windows.join(',')], () =>
    slaAttainmentPerWindow(
      ctx.store,
      scope,
      windows.map((w) => ({ fromNs: ns(atMs - w), toNs: ns(atMs) + 1n })),
    ),
  )
  return (perWindow[windows.indexOf(windowMs)] ?? []).filter((s) => only === undefined || s.sla === only)
}

async function processKpi(ctx: MeasureContext, definition: ProcessDefinition, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  const window = { fromNs: ns(atMs - spec.windowMs), toNs: ns(atMs) }
  const facts = factsFor(ctx, atMs)
  const memo = memoOf(ctx)
  const labels = { ...spec.labels }
  const one = (value: number | null, sample: number): Measurement[] => [{ labels, value, sample, nullIsNoData: true }]
  const outcomes = () =>
    memo.once(['outcomes', definition.name, spec.windowMs, atMs, facts], () => instanceOutcomes(ctx.store, definition, window, undefined, facts))
  switch (spec.kpi) {
    case 'cycle_time_p95_seconds':
    case 'cycle_time_p50_seconds': {
      const ct = await memo.once(['cycle-time', definition.name, spec.windowMs, atMs, facts], () =>
        cycleTime(ctx.store, { definition, window, nowNs: ns(atMs), facts }),
      )
      return one(spec.kpi === 'cycle_time_p95_seconds' ? ct.completion.p95 : ct.completion.p50, ct.completion.count)
    }
    case 'completed':
      return one((await outcomes()).completed, Number.POSITIVE_INFINITY)
    case 'first_pass_yield': {
      const o = await outcomes()
      return one(o.firstPassYield, o.completed)
    }
    case 'instance_failure_rate': {
      // A rate is over the instances that ended.
      const o = await outcomes()
      return one(o.instanceFailureRate, o.ended)
    }
    case 'sla_attainment': {
      const slas = await sharedSlas(ctx, definition, spec.windowMs, atMs, spec.sla)
      return slas.map((s) => ({ labels: { ...labels, sla: s.sla }, value: s.attainment, sample: s.met + s.breached, nullIsNoData: false }))
    }
    case 'stuck_count':
      return one((await sharedStuck(ctx, definition, atMs)).stuck, Number.POSITIVE_INFINITY)
    default:
      throw new Error(`kpi ${spec.kpi} is not a process KPI`)
  }
}

/** A rule label -> the row's value for it: what `where` can filter on and `group_by` label with. */
type Dimensions<R> = Readonly<Record<string, (row: R) => string>>

/**
 * The rows a rule's `where` keeps (on the given dimensions; other keys do not filter these
 * rows), grouped by its `group_by` dimensions, each group with its labels (the rule's static
 * labels plus the group's values).
 */
function groupedRows<R>(
  rows: readonly R[],
  spec: KpiSpec,
  dimensions: Dimensions<R>,
  whereKeys: readonly string[],
): Array<{ labels: Record<string, string>; rows: R[] }> {
  const groups = new Map<string, { labels: Record<string, string>; rows: R[] }>()
  for (const row of rows) {
    if (whereKeys.some((key) => spec.where[key] !== undefined && spec.where[key] !== dimensions[key]?.(row))) continue
    const labels: Record<string, string> = { ...spec.labels }
    for (const dim of spec.groupBy) {
      const value = dimensions[dim]?.(row)
      if (value !== undefined) labels[dim] = value
    }
    const key = JSON.stringify(labels)
    const group = groups.get(key) ?? { labels, rows: [] }
    group.rows.push(row)
    groups.set(key, group)
  }
  return [...groups.values()]
}

const sum = <R>(rows: readonly R[], of: (row: R) => number): number => rows.reduce((n, row) => n + of(row), 0)

const INTEGRATION_DIMENSIONS: Dimensions<IntegrationHealthRow> = {
  integration: (r) => r.integration,
  source_system: (r) => r.sourceSystem,
  target_system: (r) => r.targetSystem,
  endpoint: (r) => r.endpoint,
}

async function integrationKpi(ctx: MeasureContext, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  // Every integration's rows over the window, once per window per cycle; the rule's `where`
  // picks its rows (the same rows the statement's own filters would keep: they filter the
  // grouping columns).
  const all = await memoOf(ctx).once(['integration-health', spec.windowMs, atMs], () =>
    integrationHealth(ctx.store, { fromNs: ns(atMs - spec.windowMs), toNs: ns(atMs), now: new Date(atMs) }),
  )
  return groupedRows(all, spec, INTEGRATION_DIMENSIONS, ['integration', 'source_system', 'target_system']).map(({ labels, rows }) => {
    const calls = sum(rows, (r) => r.calls)
    const decided = sum(rows, (r) => r.operationOutcomes.succeeded + r.operationOutcomes.failed)
    const [value, sample] =
      spec.kpi === 'attempt_error_rate'
        ? [calls === 0 ? null : sum(rows, (r) => r.failedCalls) / calls, calls]
        : spec.kpi === 'operation_failure_rate'
          ? [decided === 0 ? null : sum(rows, (r) => r.operationOutcomes.failed) / decided, decided]
          : // A p95 cannot be merged exactly: over several rows, the worst one stands (conservative).
            [Math.max(0, ...rows.map((r) => r.latencyMs.p95)), calls]
    return { labels, value, sample, nullIsNoData: false }
  })
}

const SYNC_DIMENSIONS: Dimensions<SyncLagPair> = {
  source_system: (p) => p.sourceSystem,
  target_system: (p) => p.targetSystem,
  entity_type: (p) => p.entityType,
}

async function syncKpi(ctx: MeasureContext, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  // Every pair's lag over the window, once per window per cycle; a pair's lag and pending count
  // stand on its own changes, so picking the rule's pairs gives what a filtered statement would.
  const all = await memoOf(ctx).once(['sync-lag', spec.windowMs, atMs], () =>
    syncLag(ctx.store, { fromNs: ns(atMs - spec.windowMs), toNs: ns(atMs), nowNs: ns(atMs) }),
  )
  // Always one sample per pair (its labels are the pair's, whatever group_by says).
  const pairSpec = { ...spec, groupBy: Object.keys(SYNC_DIMENSIONS) }
  return groupedRows(all, pairSpec, SYNC_DIMENSIONS, Object.keys(SYNC_DIMENSIONS)).flatMap(({ labels, rows }) =>
    rows.map((p) => ({
      labels,
      value: spec.kpi === 'pending_syncs' ? p.pending : p.lagSeconds.p95,
      sample: spec.kpi === 'pending_syncs' ? Number.POSITIVE_INFINITY : p.matched,
      nullIsNoData: false,
    })),
  )
}

const QUEUE_DIMENSIONS: Dimensions<QueueBacklog> = { messaging_system: (q) => q.system, destination: (q) => q.destination }

async function queueKpi(ctx: MeasureContext, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  // Every destination's backlog for messages sent in the window, once per window per cycle.
  const all = await memoOf(ctx).once(['queue-backlog', spec.windowMs, atMs], () =>
    queueBacklog(ctx.store, { fromNs: ns(atMs - spec.windowMs), nowNs: ns(atMs) }),
  )
  // A count stands on itself; the oldest wait is 0 with nothing waiting.
  return groupedRows(all, spec, QUEUE_DIMENSIONS, Object.keys(QUEUE_DIMENSIONS)).map(({ labels, rows }) => ({
    labels,
    value: spec.kpi === 'queue_backlog' ? sum(rows, (q) => q.backlog) : Math.max(0, ...rows.map((q) => q.oldestWaitingSeconds ?? 0)),
    sample: Number.POSITIVE_INFINITY,
    nullIsNoData: false,
  }))
}

/** The KPI over the window that ends at `atMs` (event time), per label set. */
export async function measureKpi(ctx: MeasureContext, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  if (PROCESS_KPIS.has(spec.kpi)) return processKpi(ctx, definitionOf(ctx.definitions, spec.process ?? ''), spec, atMs)
  if (QUEUE_KPIS.has(spec.kpi)) return queueKpi(ctx, spec, atMs)
  return SYNC_KPIS.has(spec.kpi) ? syncKpi(ctx, spec, atMs) : integrationKpi(ctx, spec, atMs)
}
