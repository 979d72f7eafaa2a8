// The timed parts of a definition: SLAs (fixed or by attribute), stuck thresholds per stage
// (static or dynamic), the lateness allowance of the watermark guard. Durations become
// milliseconds; a bad one is reported at its own field.
import type Type from 'typebox'
import type { BusinessCalendar } from '../../core/calendar.ts'
import { type BuildContext, optional } from './build-context.ts'
import {
  DEFAULTS,
  type Clock,
  type LatenessAllowance,
  type SlaDefinition,
  type SlaTarget,
  type StageDefinition,
  type StageThreshold,
  type TerminalMilestone,
} from './model.ts'
import type { MilestoneName } from './names.ts'
import { ProblemCode, type FieldPath } from './problems.ts'
import type { LatenessSchema, ProcessDefinitionDocument, SlaTargetSchema, ThresholdSchema } from './schema.ts'

type RawThreshold = Type.Static<typeof ThresholdSchema>
type RawSlaTarget = Type.Static<typeof SlaTargetSchema>
type RawLateness = Type.Static<typeof LatenessSchema>

/** `business` needs working hours to mean anything; without them it is a forgotten calendar. */
function clock(context: BuildContext, raw: Clock | undefined, calendar: BusinessCalendar | undefined, path: FieldPath): Clock {
  if (raw === 'business' && calendar?.kind === 'always_open') {
    context.error(ProblemCode.invalidValue, path, "clock 'business' needs a calendar with working_hours; without one use 'wall'")
  }
  return raw ?? 'wall'
}

function durationMap(context: BuildContext, raw: Readonly<Record<string, string>>, path: FieldPath): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, text] of Object.entries(raw)) {
    const ms = context.duration(text, [...path, name])
    if (ms !== undefined) out[name] = ms
  }
  return out
}

function slaTarget(context: BuildContext, raw: RawSlaTarget, path: FieldPath): SlaTarget | undefined {
  if (typeof raw === 'string') {
    const ms = context.duration(raw, path)
    return ms === undefined ? undefined : { kind: 'fixed', ms }
  }
  const values = durationMap(context, raw.values, [...path, 'values'])
  const defaultMs = context.duration(raw.default, [...path, 'default'])
  return defaultMs === undefined ? undefined : { kind: 'by_attribute', attribute: raw.by_attribute, values, defaultMs }
}

export function buildSlas(
  context: BuildContext,
  raw: ProcessDefinitionDocument['slas'],
  start: readonly MilestoneName[],
  terminal: readonly TerminalMilestone[],
  calendar: BusinessCalendar | undefined,
): SlaDefinition[] {
  const slas = raw ?? []
  context.unique(
    slas.map((sla) => sla.name),
    (index) => ['slas', index, 'name'],
    'SLA',
  )
  return slas.flatMap((sla, index) => {
    const path = ['slas', index]
    // A single name is written plainly (`from: opportunity.won`); its path has no index then.
    const references = (value: string | readonly string[] | undefined, field: string): readonly MilestoneName[] | undefined => {
      if (value === undefined) return undefined
      if (typeof value !== 'string') return context.milestoneList(value, [...path, field])
      const milestone = context.milestone(value, [...path, field])
      return milestone === undefined ? [] : [milestone]
    }
    const from = references(sla.from, 'from') ?? start
    const to = references(sla.to, 'to') ?? terminal.filter((end) => end.outcome === 'completed').map((end) => end.milestone)
    const target = slaTarget(context, sla.target, [...path, 'target'])
    const slaClock = clock(context, sla.clock, calendar, [...path, 'clock'])
    if (target === undefined) return []
    return [{ name: sla.name, ...optional('description', sla.description), from, to, target, clock: slaClock, atRisk: sla.at_risk ?? DEFAULTS.slaAtRisk }]
  })
}

export function buildThreshold(context: BuildContext, raw: RawThreshold, path: FieldPath): StageThreshold | undefined {
  if (typeof raw === 'string') {
    const ms = context.duration(raw, path)
    return ms === undefined ? undefined : { kind: 'static', ms }
  }
  const minMs = context.duration(raw.min, [...path, 'min'])
  const windowMs = raw.window === undefined ? DEFAULTS.dynamicWindowMs : context.duration(raw.window, [...path, 'window'])
  if (minMs === undefined || windowMs === undefined) return undefined
  return { kind: 'dynamic', minMs, k: raw.k, percentile: raw.percentile ?? DEFAULTS.dynamicPercentile, windowMs }
}

export function buildStages(context: BuildContext, raw: ProcessDefinitionDocument['stages'], calendar: BusinessCalendar | undefined): StageDefinition[] {
  const stages = raw ?? []
  context.unique(
    stages.map((stage) => stage.after),
    (index) => ['stages', index, 'after'],
    'stage after',
  )
  return stages.flatMap((stage, index) => {
    const after = context.milestone(stage.after, ['stages', index, 'after'])
    const threshold = buildThreshold(context, stage.threshold, ['stages', index, 'threshold'])
    const stageClock = clock(context, stage.clock, calendar, ['stages', index, 'clock'])
    return after === undefined || threshold === undefined ? [] : [{ after, threshold, clock: stageClock }]
  })
}

export function buildLateness(context: BuildContext, raw: RawLateness | undefined, systems: ReadonlySet<string>): LatenessAllowance | undefined {
  if (raw === undefined) return { defaultMs: DEFAULTS.latenessAllowanceMs, bySystem: {} }
  if (typeof raw === 'string') {
    const defaultMs = context.duration(raw, ['lateness_allowance'])
    return defaultMs === undefined ? undefined : { defaultMs, bySystem: {} }
  }
  for (const system of Object.keys(raw.by_system)) {
    // The guard looks systems up by the milestones' `system`; a name no milestone uses is a typo.
    if (!systems.has(system))
      context.warning(
        ProblemCode.unknownSystem,
        ['lateness_allowance', 'by_system', system],
        `no milestone has system '${system}', so this allowance is never used`,
      )
  }
  const defaultMs = context.duration(raw.default, ['lateness_allowance', 'default'])
  const bySystem = durationMap(context, raw.by_system, ['lateness_allowance', 'by_system'])
  return defaultMs === undefined ? undefined : { defaultMs, bySystem }
}
