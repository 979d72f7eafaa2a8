// One evaluation of one rule at one event time: a sample per label set, each BREACH, OK or
// UNKNOWN, with the measured value (never a label) and what is at stake. Every kind reads the
// KPI functions the API answers with (processes/kpis), so an alert and the dashboard it links
// to can never disagree. A label set an earlier evaluation had and this one lacks is OK to the
// engine (or what the rule's no_data policy says).
import type { AlertImpact } from '../notify/index.ts'
import {
  clockSql,
  cycleTime,
  instanceFactsCte,
  instanceOutcomes,
  integrationHealth,
  slaAttainment,
  stuckInstances,
  syncLag,
  type ProcessDefinition,
} from '../processes/index.ts'
import { queryRows, runReadOnly, type StoreClient } from '../store/index.ts'
import { compare, type Rule } from './model.ts'
import { PROCESS_KPI_NAMES, SYNC_KPI_NAMES } from './schema.ts'
import type { EvalResult } from './state-machine.ts'

export interface Sample {
  readonly labels: Readonly<Record<string, string>>
  readonly result: EvalResult
  readonly value: number | null
  /** Why UNKNOWN (late data, low sample, no data, error) or what breached. */
  readonly reason: string
  readonly impactStartMs?: number
  readonly impact?: AlertImpact
}

export interface EvaluationContext {
  readonly store: StoreClient
  readonly definitions: ReadonlyMap<string, ProcessDefinition>
  /** Event time of the evaluation (the window end), ms. */
  readonly atMs: number
  /** Was this alert firing before? (flap damping uses the clear threshold then). */
  readonly wasFiring: (labels: Readonly<Record<string, string>>) => boolean
}

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const DAY_MS = 86_400_000
const NO_IMPACT: AlertImpact = { instances: 0, valueAtRisk: [], sampleKeys: [] }

function definitionOf(ctx: EvaluationContext, name: string): ProcessDefinition {
  const definition = ctx.definitions.get(name)
  if (definition === undefined) throw new Error(`process ${name} has no definition (was it removed?)`)
  return definition
}

/** The newest observed_ts of a system's (or a process's) business events, ms; undefined when none. */
async function watermarkMs(store: StoreClient, column: 'System' | 'Process', value: string): Promise<number | undefined> {
  const rows = await queryRows<{ ms: string | null }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(maxOrNull(ObservedTs))) AS ms FROM business_events WHERE ${column} = {value:String}`,
    { value },
    { tag: 'rules.watermark' },
  )
  const ms = rows[0]?.ms
  return ms === null || ms === undefined || ms === '' ? undefined : Number(ms)
}

function thresholdResult(rule: Extract<Rule, { kind: 'threshold' | 'sql' }>, value: number | null, firing: boolean): EvalResult {
  if (value === null) return 'unknown'
  if (rule.kind === 'threshold' && firing && rule.clearValue !== undefined) {
    // Hysteresis: once firing, it clears only past the clear threshold.
    return compare(rule.op, value, rule.clearValue) ? 'breach' : 'ok'
  }
  return compare(rule.op, value, rule.value) ? 'breach' : 'ok'
}

const rootKeysOf = (definition: ProcessDefinition, instances: readonly string[]): string[] => instances.slice(0, 5).map((i) => `${definition.rootKey}=${i}`)

async function processKpi(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'threshold' }>): Promise<Sample[]> {
  const definition = definitionOf(ctx, rule.process ?? '')
  const window = { fromNs: ns(ctx.atMs - rule.windowMs), toNs: ns(ctx.atMs) }
  const labels = { ...rule.labels }
  let value: number | null
  let sample: number
  switch (rule.kpi) {
    case 'cycle_time_p95_seconds':
    case 'cycle_time_p50_seconds': {
      const ct = await cycleTime(ctx.store, { definition, window, nowNs: ns(ctx.atMs) })
      value = rule.kpi === 'cycle_time_p95_seconds' ? ct.completion.p95 : ct.completion.p50
      sample = ct.completion.count
      break
    }
    case 'completed':
    case 'first_pass_yield':
    case 'instance_failure_rate': {
      const o = await instanceOutcomes(ctx.store, definition, window)
      value = rule.kpi === 'completed' ? o.completed : rule.kpi === 'first_pass_yield' ? o.firstPassYield : o.instanceFailureRate
      // A count is its own sample; a rate is over the instances that ended.
      sample = rule.kpi === 'completed' ? Number.POSITIVE_INFINITY : rule.kpi === 'first_pass_yield' ? o.completed : o.ended
      break
    }
    case 'sla_attainment': {
      const slas = await slaAttainment(ctx.store, { definition, window, nowNs: ns(ctx.atMs), limit: 5 }, rule.sla)
      return slas.map((s) => {
        const decided = s.met + s.breached
        const result = decided < rule.minSample ? 'unknown' : thresholdResult(rule, s.attainment, ctx.wasFiring({ ...labels, sla: s.sla }))
        return {
          labels: { ...labels, sla: s.sla },
          result,
          value: s.attainment,
          reason: decided < rule.minSample ? `low_sample (${decided} < ${rule.minSample})` : rule.kpi,
        }
      })
    }
    case 'stuck_count': {
      const stuck = await stuckInstances(ctx.store, { definition, nowNs: ns(ctx.atMs), limit: 5 })
      value = stuck.stuck
      sample = Number.POSITIVE_INFINITY
      break
    }
    default:
      throw new Error(`kpi ${rule.kpi} is not a process KPI`)
  }
  if (sample < rule.minSample) return [{ labels, result: 'unknown', value, reason: `low_sample (${sample} < ${rule.minSample})` }]
  if (value === null) return rule.noData === 'ok' ? [] : [{ labels, result: rule.noData, value, reason: 'no_data' }]
  return [{ labels, result: thresholdResult(rule, value, ctx.wasFiring(labels)), value, reason: rule.kpi }]
}

const INTEGRATION_DIMENSIONS = { integration: 'integration', source_system: 'sourceSystem', target_system: 'targetSystem', endpoint: 'endpoint' } as const

async function integrationKpi(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'threshold' }>): Promise<Sample[]> {
  const rows = await integrationHealth(ctx.store, {
    fromNs: ns(ctx.atMs - rule.windowMs),
    toNs: ns(ctx.atMs),
    now: new Date(ctx.atMs),
    ...(rule.where.integration !== undefined ? { integration: rule.where.integration } : {}),
    ...(rule.where.source_system !== undefined ? { sourceSystem: rule.where.source_system } : {}),
    ...(rule.where.target_system !== undefined ? { targetSystem: rule.where.target_system } : {}),
  })
  const groups = new Map<string, { labels: Record<string, string>; calls: number; failed: number; decided: number; failedOps: number; latency: number }>()
  for (const row of rows) {
    const labels: Record<string, string> = { ...rule.labels }
    for (const dim of rule.groupBy) {
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
      rule.kpi === 'attempt_error_rate'
        ? [g.calls === 0 ? null : g.failed / g.calls, g.calls]
        : rule.kpi === 'operation_failure_rate'
          ? [g.decided === 0 ? null : g.failedOps / g.decided, g.decided]
          : [g.latency, g.calls]
    if (sample < rule.minSample) return { labels: g.labels, result: 'unknown' as const, value, reason: `low_sample (${sample} < ${rule.minSample})` }
    return { labels: g.labels, result: thresholdResult(rule, value, ctx.wasFiring(g.labels)), value, reason: rule.kpi }
  })
}

async function syncKpi(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'threshold' }>): Promise<Sample[]> {
  const pairs = await syncLag(ctx.store, {
    fromNs: ns(ctx.atMs - rule.windowMs),
    toNs: ns(ctx.atMs),
    nowNs: ns(ctx.atMs),
    ...(rule.where.source_system !== undefined ? { sourceSystem: rule.where.source_system } : {}),
    ...(rule.where.target_system !== undefined ? { targetSystem: rule.where.target_system } : {}),
    ...(rule.where.entity_type !== undefined ? { entityType: rule.where.entity_type } : {}),
  })
  return pairs.map((p) => {
    const labels = { ...rule.labels, source_system: p.sourceSystem, target_system: p.targetSystem, entity_type: p.entityType }
    const value = rule.kpi === 'pending_syncs' ? p.pending : p.lagSeconds.p95
    const sample = rule.kpi === 'pending_syncs' ? Number.POSITIVE_INFINITY : p.matched
    if (sample < rule.minSample) return { labels, result: 'unknown' as const, value, reason: `low_sample (${sample} < ${rule.minSample})` }
    return { labels, result: thresholdResult(rule, value, ctx.wasFiring(labels)), value, reason: rule.kpi }
  })
}

async function absence(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'absence' }>): Promise<Sample[]> {
  const definition = definitionOf(ctx, rule.process)
  const lookbackMs = Math.max(rule.withinMs * 20, 30 * DAY_MS)
  const facts = instanceFactsCte({ definition, eventsFromNs: ns(ctx.atMs - lookbackMs), eventsToNs: ns(ctx.atMs) + 1n, reaches: [[rule.after], [rule.expect]] })
  const clock = clockSql(rule.clock, definition.calendar, ctx.atMs - lookbackMs, ctx.atMs + 60 * DAY_MS)
  const rows = await queryRows<{ instance: string; afterNs: string; deadlineNs: string }>(
    ctx.store,
    `WITH ${facts.sql}
     SELECT instance, toString(reach_0) AS afterNs, toString(deadline) AS deadlineNs FROM (
       SELECT instance, reach_0, reach_1, ${clock.after('reach_0', '{withinNs:Int64}')} AS deadline FROM facts WHERE reach_0 IS NOT NULL AND NOT cancelled
     )
     WHERE deadline <= {at:Int64} AND (reach_1 IS NULL OR reach_1 > deadline)
     ORDER BY instance`,
    { ...facts.params, ...clock.params, withinNs: (BigInt(rule.withinMs) * 1_000_000n).toString(), at: ns(ctx.atMs).toString() },
    { tag: 'rules.absence' },
  )
  // Silence is the breach; it is UNKNOWN only when the system that should speak lags itself.
  const system = definition.milestones.find((m) => m.name === rule.expect)?.system
  let late = false
  if (system !== undefined) {
    const allowance = definition.latenessAllowance.bySystem[system] ?? definition.latenessAllowance.defaultMs
    const seen = await watermarkMs(ctx.store, 'System', system)
    late = seen === undefined || seen < ctx.atMs - allowance
  }
  return rows.map((r) => ({
    labels: { ...rule.labels, instance: r.instance },
    result: late ? ('unknown' as const) : ('breach' as const),
    value: null,
    reason: late ? `late_data (${system ?? ''} is behind)` : `${rule.expect} missing after ${rule.after}`,
    impactStartMs: Number(BigInt(r.deadlineNs) / 1_000_000n),
    impact: { instances: 1, valueAtRisk: [], sampleKeys: [`${definition.rootKey}=${r.instance}`] },
  }))
}

async function heartbeat(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'heartbeat' }>): Promise<Sample[]> {
  const rows = await queryRows<{ ms: string | null }>(
    ctx.store,
    `SELECT toString(greatest(
       ifNull((SELECT toUnixTimestamp64Milli(maxOrNull(ObservedTs)) FROM business_events WHERE System = {system:String}), 0),
       ifNull((SELECT toUnixTimestamp64Milli(maxOrNull(IngestedAt)) FROM otel_traces WHERE ServiceName = {system:String} OR BusinessSystem = {system:String}), 0),
       ifNull((SELECT toUnixTimestamp64Milli(maxOrNull(IngestedAt)) FROM otel_logs WHERE ServiceName = {system:String}), 0))) AS ms`,
    { system: rule.system },
    { tag: 'rules.heartbeat' },
  )
  const lastMs = Number(rows[0]?.ms ?? 0)
  const labels = { ...rule.labels, system: rule.system }
  if (lastMs === 0) return [{ labels, result: rule.noData === 'ok' ? 'ok' : rule.noData, value: null, reason: 'never seen' }]
  const silentMs = ctx.atMs - lastMs
  const breach = silentMs > rule.silentForMs
  return [
    {
      labels,
      result: breach ? 'breach' : 'ok',
      value: silentMs / 1000,
      reason: `silent ${Math.round(silentMs / 1000)} s`,
      ...(breach ? { impactStartMs: lastMs } : {}),
    },
  ]
}

async function instancesRule(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'stuck' | 'sla_breach' | 'sla_at_risk' }>): Promise<Sample[]> {
  const definition = definitionOf(ctx, rule.process)
  const labels = { ...rule.labels }
  if (rule.kind === 'stuck') {
    const stuck = await stuckInstances(ctx.store, { definition, nowNs: ns(ctx.atMs), limit: 5 })
    const impact: AlertImpact = {
      instances: stuck.stuck,
      valueAtRisk: stuck.valueAtRisk.map((v) => ({ currency: v.currency, amount: v.amount })),
      sampleKeys: rootKeysOf(
        definition,
        stuck.instances.filter((i) => i.state === 'stuck').map((i) => i.instance),
      ),
    }
    const oldest = stuck.instances.find((i) => i.state === 'stuck')
    if (stuck.stuck < rule.minCount && stuck.unknownLateData > 0)
      return [{ labels, result: 'unknown', value: stuck.stuck, reason: `late_data (${stuck.unknownLateData} waiting on a late system)` }]
    const breach = stuck.stuck >= rule.minCount
    return [
      {
        labels,
        result: breach ? 'breach' : 'ok',
        value: stuck.stuck,
        reason: `${stuck.stuck} stuck`,
        impact,
        ...(breach && oldest !== undefined ? { impactStartMs: ctx.atMs - Math.round((oldest.ageSeconds - oldest.thresholdSeconds) * 1000) } : {}),
      },
    ]
  }
  const slas = await slaAttainment(
    ctx.store,
    { definition, window: { fromNs: ns(ctx.atMs - 30 * DAY_MS), toNs: ns(ctx.atMs) + 1n }, nowNs: ns(ctx.atMs), limit: 100 },
    rule.sla,
  )
  return slas.map((s) => {
    const count = rule.kind === 'sla_breach' ? s.breachedOpen : s.atRisk
    const affected = s.instances.filter((i) => (rule.kind === 'sla_breach' ? i.state === 'breached' && i.reached === null : i.state === 'at_risk'))
    const deadlines = affected.map((i) => i.deadline).sort()
    const impact: AlertImpact = {
      instances: count,
      valueAtRisk: [],
      sampleKeys: rootKeysOf(
        definition,
        affected.map((i) => i.instance),
      ),
      ...(deadlines[0] !== undefined ? { slaBreachAt: deadlines[0] } : {}),
    }
    const breach = count >= rule.minCount
    return {
      labels: { ...labels, sla: s.sla },
      result: breach ? ('breach' as const) : ('ok' as const),
      value: count,
      reason: `${count} ${rule.kind === 'sla_breach' ? 'open past the deadline' : 'at risk'}`,
      impact,
      ...(breach && rule.kind === 'sla_breach' && deadlines[0] !== undefined ? { impactStartMs: Date.parse(deadlines[0]) } : {}),
    }
  })
}

async function sqlRule(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'sql' }>): Promise<Sample[]> {
  const text = await runReadOnly(ctx.store, rule.sql, 'JSONEachRow')
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>
      const labels: Record<string, string> = { ...rule.labels }
      for (const [name, v] of Object.entries(row)) if (name !== 'value') labels[name] = String(v)
      const value = row.value === null || row.value === undefined ? null : Number(row.value)
      return { labels, result: thresholdResult(rule, value, ctx.wasFiring(labels)), value, reason: 'sql' }
    })
}

const PROCESS_KPIS: ReadonlySet<string> = new Set(PROCESS_KPI_NAMES)
const SYNC_KPIS: ReadonlySet<string> = new Set(SYNC_KPI_NAMES)

/** Late data for process KPIs: the process's newest event is older than its lateness allowance. */
async function processIsLate(ctx: EvaluationContext, process: string): Promise<boolean> {
  const definition = definitionOf(ctx, process)
  const seen = await watermarkMs(ctx.store, 'Process', process)
  return seen !== undefined && seen < ctx.atMs - definition.latenessAllowance.defaultMs
}

export async function evaluateRule(ctx: EvaluationContext, rule: Rule): Promise<Sample[]> {
  switch (rule.kind) {
    case 'threshold':
      if (PROCESS_KPIS.has(rule.kpi)) {
        if (await processIsLate(ctx, rule.process ?? ''))
          return [{ labels: { ...rule.labels }, result: 'unknown', value: null, reason: 'late_data (process watermark behind the window end)' }]
        return processKpi(ctx, rule)
      }
      return SYNC_KPIS.has(rule.kpi) ? syncKpi(ctx, rule) : integrationKpi(ctx, rule)
    case 'stuck':
    case 'sla_breach':
    case 'sla_at_risk':
      return instancesRule(ctx, rule)
    case 'absence':
      return absence(ctx, rule)
    case 'heartbeat':
      return heartbeat(ctx, rule)
    case 'sql':
      return sqlRule(ctx, rule)
  }
}

export { NO_IMPACT }
