// One evaluation of one rule at one event time: a sample per label set, each BREACH, OK or
// UNKNOWN, with the measured value (never a label) and what is at stake. Every kind reads the
// KPI functions the API answers with (processes/kpis), so an alert and the dashboard it links
// to can never disagree. A label set an earlier evaluation had and this one lacks is OK to the
// engine (or what the rule's no_data policy says).
import type { AlertImpact } from '../notify/index.ts'
import type { ProcessDefinition, StuckAnswer } from '../processes/index.ts'
import { absenceBreaches, absenceLookbackMs, type AbsenceRule } from './absence-breaches.ts'
import { runReadOnly } from '../store/index.ts'
import { anomaly } from './anomaly.ts'
import { UNSHARED } from './cycle-memo.ts'
import { definitionOf, factsFor, isProcessKpi, measureKpi, sharedSlas, sharedStuck, SLA_RULES_WINDOW_MS } from './kpi-measure.ts'
import { compare, type Rule } from './model.ts'
import { measurementPrecheck, type EvaluationContext, type Sample } from './sample.ts'
import type { EvalResult } from './state-machine.ts'
import { lastHeardMs, lateSystems, watermarkMs } from './watermarks.ts'

export type { EvaluationContext, Sample } from './sample.ts'

const NO_IMPACT: AlertImpact = { instances: 0, valueAtRisk: [], sampleKeys: [] }

function thresholdResult(rule: Extract<Rule, { kind: 'threshold' | 'sql' }>, value: number | null, firing: boolean): EvalResult {
  if (value === null) return 'unknown'
  if (rule.kind === 'threshold' && firing && rule.clearValue !== undefined) {
    // Hysteresis: once firing, it clears only past the clear threshold.
    return compare(rule.op, value, rule.clearValue) ? 'breach' : 'ok'
  }
  return compare(rule.op, value, rule.value) ? 'breach' : 'ok'
}

/** A system's or process's watermark, once per cycle. */
const sharedWatermarkMs = (ctx: EvaluationContext, column: 'System' | 'Process', value: string): Promise<number | undefined> =>
  (ctx.memo ?? UNSHARED).once(['watermark', column, value], () => watermarkMs(ctx.store, column, value))

const rootKeysOf = (definition: ProcessDefinition, instances: readonly string[]): string[] => instances.slice(0, 5).map((i) => `${definition.rootKey}=${i}`)

async function threshold(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'threshold' }>): Promise<Sample[]> {
  const measured = await measureKpi(ctx, rule, ctx.atMs)
  return measured.flatMap((m): Sample[] => {
    const pre = measurementPrecheck(rule, m)
    if (pre !== undefined) return pre === null ? [] : [pre]
    return [{ labels: m.labels, result: thresholdResult(rule, m.value, ctx.wasFiring(m.labels)), value: m.value, reason: rule.kpi }]
  })
}

async function absence(ctx: EvaluationContext, rule: AbsenceRule): Promise<Sample[]> {
  const definition = definitionOf(ctx.definitions, rule.process)
  // Every absence rule of the process with the same lookback, in one statement per cycle: a
  // longer lookback reads more instances and more calendar periods for each, so rules do not
  // share a statement with longer-looking ones.
  const lookbackMs = absenceLookbackMs(rule)
  const sharesWith = (r: Rule): r is AbsenceRule =>
    r.kind === 'absence' && r.process === rule.process && r.id !== rule.id && absenceLookbackMs(r) === lookbackMs
  const group = [rule, ...(ctx.cycleRules ?? []).filter(sharesWith)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const facts = factsFor(ctx, ctx.atMs)
  const breaches = await (ctx.memo ?? UNSHARED).once(['absence', rule.process, ctx.atMs, facts, group.map((r) => r.id).join(',')], () =>
    absenceBreaches(ctx.store, definition, group, ctx.atMs, facts),
  )
  const rows = breaches.get(rule.id) ?? []
  // Silence is the breach; it is UNKNOWN only when the system that should speak lags itself.
  const system = definition.milestones.find((m) => m.name === rule.expect)?.system
  let late = false
  if (system !== undefined) {
    const allowance = definition.latenessAllowance.bySystem[system] ?? definition.latenessAllowance.defaultMs
    const seen = await sharedWatermarkMs(ctx, 'System', system)
    late = seen === undefined || seen < ctx.atMs - allowance
  }
  return rows.map((r) => ({
    labels: { ...rule.labels, instance: r.instance },
    result: late ? ('unknown' as const) : ('breach' as const),
    value: null,
    reason: late ? `late_data (${system ?? ''} is behind)` : `${rule.expect} missing after ${rule.after}`,
    ...(late && system !== undefined ? { lateSystems: [system] } : {}),
    impactStartMs: Number(r.deadlineNs / 1_000_000n),
    impact: { instances: 1, valueAtRisk: [], sampleKeys: [`${definition.rootKey}=${r.instance}`] },
  }))
}

async function heartbeat(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'heartbeat' }>): Promise<Sample[]> {
  // Every system the cycle's heartbeats watch, in one statement per cycle.
  const systems = [...new Set([rule.system, ...(ctx.cycleRules ?? []).flatMap((r) => (r.kind === 'heartbeat' ? [r.system] : []))])].sort()
  const heard = await (ctx.memo ?? UNSHARED).once(['heartbeats', ctx.atMs, systems.join('\u0000')], () => lastHeardMs(ctx.store, systems))
  const lastMs = heard.get(rule.system) ?? 0
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

/** The systems the late-data UNKNOWN waits on: those the listed unknown instances expect, else the late ones seen before. */
function waitedOn(stuck: StuckAnswer): string[] {
  const expected = new Set(stuck.instances.filter((i) => i.state === 'unknown_late_data' && i.expectedSystem !== '').map((i) => i.expectedSystem))
  if (expected.size > 0) return [...expected].sort()
  // A system that never sent anything counts as late to the stuck KPI; nothing says it is the one.
  return stuck.systems.filter((w) => w.late && w.lastSeen !== null).map((w) => w.system)
}

async function instancesRule(ctx: EvaluationContext, rule: Extract<Rule, { kind: 'stuck' | 'sla_breach' | 'sla_at_risk' }>): Promise<Sample[]> {
  const definition = definitionOf(ctx.definitions, rule.process)
  const labels = { ...rule.labels }
  if (rule.kind === 'stuck') {
    const stuck = await sharedStuck(ctx, definition, ctx.atMs)
    const impact: AlertImpact = {
      instances: stuck.stuck,
      valueAtRisk: stuck.valueAtRisk.map((v) => ({ currency: v.currency, amount: v.amount })),
      sampleKeys: rootKeysOf(
        definition,
        stuck.instances.filter((i) => i.state === 'stuck').map((i) => i.instance),
      ),
    }
    // Impact starts when the first of them became stuck (on its stage's clock, not its age in working time).
    const stuckSince = stuck.instances.filter((i) => i.state === 'stuck').map((i) => Date.parse(i.stuckSince))
    const firstStuckMs = stuckSince.length === 0 ? undefined : Math.min(...stuckSince)
    if (stuck.stuck < rule.minCount && stuck.unknownLateData > 0)
      return [
        {
          labels,
          result: 'unknown',
          value: stuck.stuck,
          reason: `late_data (${stuck.unknownLateData} waiting on a late system)`,
          lateSystems: waitedOn(stuck),
        },
      ]
    const breach = stuck.stuck >= rule.minCount
    return [
      {
        labels,
        result: breach ? 'breach' : 'ok',
        value: stuck.stuck,
        reason: `${stuck.stuck} stuck`,
        impact,
        ...(breach && firstStuckMs !== undefined ? { impactStartMs: firstStuckMs } : {}),
      },
    ]
  }
  const slas = await sharedSlas(ctx, definition, SLA_RULES_WINDOW_MS, ctx.atMs, rule.sla)
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

/** Late data for process KPIs: the process's newest event is older than its lateness allowance. */
export async function processLateness(ctx: EvaluationContext, process: string): Promise<Sample | undefined> {
  const definition = definitionOf(ctx.definitions, process)
  const seen = await sharedWatermarkMs(ctx, 'Process', process)
  if (seen === undefined || seen >= ctx.atMs - definition.latenessAllowance.defaultMs) return undefined
  const late = await (ctx.memo ?? UNSHARED).once(['late-systems', process, ctx.atMs], () => lateSystems(ctx.store, definition, ctx.atMs))
  return { labels: {}, result: 'unknown', value: null, reason: `late_data (${late.join(', ') || process} behind the window end)`, lateSystems: late }
}

export async function evaluateRule(ctx: EvaluationContext, rule: Rule): Promise<Sample[]> {
  switch (rule.kind) {
    case 'threshold':
    case 'anomaly': {
      if (isProcessKpi(rule.kpi)) {
        const late = await processLateness(ctx, rule.process ?? '')
        if (late !== undefined) return [{ ...late, labels: { ...rule.labels } }]
      }
      return rule.kind === 'threshold' ? threshold(ctx, rule) : anomaly(ctx, rule)
    }
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
