// What a KPI measures over one window, per label set, before any rule judges it: the one place
// the threshold and anomaly kinds read the KPI functions of processes/kpis (the API's), so a
// threshold, an anomaly baseline and the dashboard can never disagree about a value.
import {
  cycleTime,
  instanceOutcomes,
  integrationHealth,
  slaAttainment,
  stuckInstances,
  syncLag,
  type FactsSource,
  type ProcessDefinition,
} from '../processes/index.ts'
import type { StoreClient } from '../store/index.ts'
import { PROCESS_KPI_NAMES, SYNC_KPI_NAMES } from './schema.ts'

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

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const PROCESS_KPIS: ReadonlySet<string> = new Set(PROCESS_KPI_NAMES)
const SYNC_KPIS: ReadonlySet<string> = new Set(SYNC_KPI_NAMES)

export const isProcessKpi = (kpi: string): boolean => PROCESS_KPIS.has(kpi)

export function definitionOf(definitions: ReadonlyMap<string, ProcessDefinition>, name: string): ProcessDefinition {
  const definition = definitions.get(name)
  if (definition === undefined) throw new Error(`process ${name} has no definition (was it removed?)`)
  return definition
}

/** How far from the wall clock an evaluation may be and still read the rollup, which holds every instance as of now. */
const ROLLUP_SLACK_MS = 60_000

/**
 * The facts source for an evaluation at `atMs`: the rollup only for an evaluation at (about)
 * now; a past window (an anomaly baseline, a late-data replay, a rule unit test) recomputes
 * its facts from the events as of then.
 */
export function factsAt(source: FactsSource | undefined, atMs: number, nowMs = Date.now()): FactsSource | undefined {
  return source === 'rollup' && Math.abs(nowMs - atMs) <= ROLLUP_SLACK_MS ? 'rollup' : undefined
}

async function processKpi(
  store: StoreClient,
  definition: ProcessDefinition,
  spec: KpiSpec,
  atMs: number,
  facts: FactsSource | undefined,
): Promise<Measurement[]> {
  const window = { fromNs: ns(atMs - spec.windowMs), toNs: ns(atMs) }
  const labels = { ...spec.labels }
  const one = (value: number | null, sample: number): Measurement[] => [{ labels, value, sample, nullIsNoData: true }]
  switch (spec.kpi) {
    case 'cycle_time_p95_seconds':
    case 'cycle_time_p50_seconds': {
      const ct = await cycleTime(store, { definition, window, nowNs: ns(atMs), facts })
      return one(spec.kpi === 'cycle_time_p95_seconds' ? ct.completion.p95 : ct.completion.p50, ct.completion.count)
    }
    case 'completed':
      return one((await instanceOutcomes(store, definition, window, undefined, facts)).completed, Number.POSITIVE_INFINITY)
    case 'first_pass_yield': {
      const o = await instanceOutcomes(store, definition, window, undefined, facts)
      return one(o.firstPassYield, o.completed)
    }
    case 'instance_failure_rate': {
      // A rate is over the instances that ended.
      const o = await instanceOutcomes(store, definition, window, undefined, facts)
      return one(o.instanceFailureRate, o.ended)
    }
    case 'sla_attainment': {
      const slas = await slaAttainment(store, { definition, window, nowNs: ns(atMs), limit: 5, facts }, spec.sla)
      return slas.map((s) => ({ labels: { ...labels, sla: s.sla }, value: s.attainment, sample: s.met + s.breached, nullIsNoData: false }))
    }
    case 'stuck_count':
      return one((await stuckInstances(store, { definition, nowNs: ns(atMs), limit: 5, facts })).stuck, Number.POSITIVE_INFINITY)
    default:
      throw new Error(`kpi ${spec.kpi} is not a process KPI`)
  }
}

const INTEGRATION_DIMENSIONS = { integration: 'integration', source_system: 'sourceSystem', target_system: 'targetSystem', endpoint: 'endpoint' } as const

async function integrationKpi(store: StoreClient, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  const rows = await integrationHealth(store, {
    fromNs: ns(atMs - spec.windowMs),
    toNs: ns(atMs),
    now: new Date(atMs),
    ...(spec.where.integration !== undefined ? { integration: spec.where.integration } : {}),
    ...(spec.where.source_system !== undefined ? { sourceSystem: spec.where.source_system } : {}),
    ...(spec.where.target_system !== undefined ? { targetSystem: spec.where.target_system } : {}),
  })
  const groups = new Map<string, { labels: Record<string, string>; calls: number; failed: number; decided: number; failedOps: number; latency: number }>()
  for (const row of rows) {
    const labels: Record<string, string> = { ...spec.labels }
    for (const dim of spec.groupBy) {
      const field = INTEGRATION_DIMENSIONS[dim as keyof typeof INTEGRATION_DIMENSIONS]
      if (field !== undefined) labels[dim] = row[field]
    }
    const key = JSON.stringify(labels)
    const g = groups.get(key) ?? { labels, calls: 0, failed: 0, decided: 0, failedOps: 0, latency: 0 }
    g.calls += row.calls
    g.failed += row.failedCalls
    g.decided += row.operationOutcomes.succeeded + row.operationOutcomes.failed
    g.failedOps += row.operationOutcomes.failed
    // A p95 cannot be merged exactly: over several rows, the worst one stands (conservative).
    g.latency = Math.max(g.latency, row.latencyMs.p95)
    groups.set(key, g)
  }
  return [...groups.values()].map((g) => {
    const [value, sample] =
      spec.kpi === 'attempt_error_rate'
        ? [g.calls === 0 ? null : g.failed / g.calls, g.calls]
        : spec.kpi === 'operation_failure_rate'
          ? [g.decided === 0 ? null : g.failedOps / g.decided, g.decided]
          : [g.latency, g.calls]
    return { labels: g.labels, value, sample, nullIsNoData: false }
  })
}

async function syncKpi(store: StoreClient, spec: KpiSpec, atMs: number): Promise<Measurement[]> {
  const pairs = await syncLag(store, {
    fromNs: ns(atMs - spec.windowMs),
    toNs: ns(atMs),
    nowNs: ns(atMs),
    ...(spec.where.source_system !== undefined ? { sourceSystem: spec.where.source_system } : {}),
    ...(spec.where.target_system !== undefined ? { targetSystem: spec.where.target_system } : {}),
    ...(spec.where.entity_type !== undefined ? { entityType: spec.where.entity_type } : {}),
  })
  return pairs.map((p) => ({
    labels: { ...spec.labels, source_system: p.sourceSystem, target_system: p.targetSystem, entity_type: p.entityType },
    value: spec.kpi === 'pending_syncs' ? p.pending : p.lagSeconds.p95,
    sample: spec.kpi === 'pending_syncs' ? Number.POSITIVE_INFINITY : p.matched,
    nullIsNoData: false,
  }))
}

/** The KPI over the window that ends at `atMs` (event time), per label set. */
export async function measureKpi(
  store: StoreClient,
  definitions: ReadonlyMap<string, ProcessDefinition>,
  spec: KpiSpec,
  atMs: number,
  facts?: FactsSource,
): Promise<Measurement[]> {
  if (PROCESS_KPIS.has(spec.kpi)) return processKpi(store, definitionOf(definitions, spec.process ?? ''), spec, atMs, factsAt(facts, atMs))
  return SYNC_KPIS.has(spec.kpi) ? syncKpi(store, spec, atMs) : integrationKpi(store, spec, atMs)
}
