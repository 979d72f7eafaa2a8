// One schema-valid YAML document -> one frozen ProcessDefinition, or the problems that stop
// it. Sections are built in dependency order (keys and milestones first, since the rest refer
// to them); every problem found is kept, so one run of validate shows them all.
import { buildCalendar } from './build-calendar.ts'
import { BuildContext, deepFreeze, optional } from './build-context.ts'
import { buildKeys, buildMilestones } from './build-milestones.ts'
import { buildLateness, buildSlas, buildStages, buildThreshold } from './build-timing.ts'
import { checkReachability } from './reachability.ts'
import { DEFAULTS, type ChildObject, type CurrencySource, type FlowEdge, type KeyDefinition, type ProcessDefinition, type TerminalMilestone } from './model.ts'
import { processName, processVersion, type KeyType } from './names.ts'
import { ProblemCode, type DefinitionProblem } from './problems.ts'
import type { ProcessDefinitionDocument } from './schema.ts'
import type { SourceDocument } from './yaml-source.ts'

export type DefinitionBuild =
  | { readonly ok: true; readonly definition: ProcessDefinition; readonly warnings: readonly DefinitionProblem[] }
  | { readonly ok: false; readonly problems: readonly DefinitionProblem[] }

function rootKey(context: BuildContext, text: string, keys: readonly KeyDefinition[]): KeyType | undefined {
  const root = context.keyType(text, ['root_key'])
  if (root !== undefined && keys.find((key) => key.type === root)?.role === 'reference') {
    return context.error(ProblemCode.badKeyRole, ['root_key'], `'${text}' is a reference key; the root key must identify one instance (role: instance)`)
  }
  return root
}

function terminals(context: BuildContext, raw: ProcessDefinitionDocument['terminal']): TerminalMilestone[] {
  context.unique(
    raw.map((end) => end.milestone),
    (index) => ['terminal', index, 'milestone'],
    'terminal milestone',
  )
  return raw.flatMap((end, index) => {
    const milestone = context.milestone(end.milestone, ['terminal', index, 'milestone'])
    return milestone === undefined ? [] : [{ milestone, outcome: end.outcome }]
  })
}

function children(context: BuildContext, raw: ProcessDefinitionDocument['children'], root: KeyType | undefined, keys: readonly KeyDefinition[]): ChildObject[] {
  const list = raw ?? []
  context.unique(
    list.map((child) => child.key),
    (index) => ['children', index, 'key'],
    'child key',
  )
  const built = list.flatMap((child, index): ChildObject[] => {
    const path = ['children', index]
    const keyType = context.keyType(child.key, [...path, 'key'])
    const parentKeyType = context.keyType(child.parent_key, [...path, 'parent_key'])
    const milestones = context.milestoneList(child.milestones, [...path, 'milestones'])
    if (keyType === undefined || parentKeyType === undefined) return []
    if (keyType === root)
      return context.error(ProblemCode.badKeyRole, [...path, 'key'], `'${keyType}' is the root key; a child object needs its own key type`) ?? []
    if (keyType === parentKeyType) return context.error(ProblemCode.badKeyRole, [...path, 'parent_key'], 'a child object cannot be its own parent') ?? []
    if (keys.find((key) => key.type === keyType)?.role === 'reference') {
      return context.error(ProblemCode.badKeyRole, [...path, 'key'], `'${keyType}' is a reference key; a child object's key must be an instance key`) ?? []
    }
    return [{ keyType, parentKeyType, milestones, completion: child.completion ?? 'all' }]
  })
  // Following parent links from any child must end at a key that is no child: else a loop.
  const parentOf = new Map(built.map((child) => [child.keyType, child.parentKeyType]))
  built.forEach((child) => {
    const seen = new Set<KeyType>([child.keyType])
    for (let key = parentOf.get(child.keyType); key !== undefined; key = parentOf.get(key)) {
      if (seen.has(key)) {
        const index = list.findIndex((entry) => entry.key === child.keyType)
        context.error(
          ProblemCode.childCycle,
          ['children', index, 'parent_key'],
          `parent links from '${child.keyType}' loop back to '${key}'; they must end at the root key`,
        )
        return
      }
      seen.add(key)
    }
  })
  return built
}

function edges(context: BuildContext, raw: NonNullable<ProcessDefinitionDocument['flow']>['edges']): FlowEdge[] {
  const seen = new Set<string>()
  return (raw ?? []).flatMap((edge, index) => {
    const from = context.milestone(edge.from, ['flow', 'edges', index, 'from'])
    const targets =
      typeof edge.to === 'string'
        ? [context.milestone(edge.to, ['flow', 'edges', index, 'to'])]
        : edge.to.map((to, position) => context.milestone(to, ['flow', 'edges', index, 'to', position]))
    return targets.flatMap((to): FlowEdge[] => {
      if (from === undefined || to === undefined) return []
      const id = JSON.stringify([from, to])
      if (seen.has(id)) {
        context.warning(ProblemCode.duplicateEdge, ['flow', 'edges', index], `the edge ${from} -> ${to} is listed twice`)
        return []
      }
      seen.add(id)
      return [{ from, to }]
    })
  })
}

function currencySource(raw: NonNullable<ProcessDefinitionDocument['value']>): CurrencySource {
  return raw.currency === undefined
    ? { kind: 'attribute', attribute: raw.currency_attribute ?? DEFAULTS.currencyAttribute }
    : { kind: 'fixed', code: raw.currency }
}

export function buildDefinition(source: SourceDocument, raw: ProcessDefinitionDocument): DefinitionBuild {
  const context = new BuildContext(source)
  const name = context.name(processName(raw.name), ['name'])
  const versionCheck = processVersion(raw.version)
  const version = versionCheck.ok ? versionCheck.name : context.error(ProblemCode.badVersion, ['version'], versionCheck.message)
  const keys = buildKeys(context, raw.keys)
  const milestones = buildMilestones(context, raw.milestones)
  const root = rootKey(context, raw.root_key, keys)
  const start = context.milestoneList(raw.start, ['start'])
  context.unique(raw.start, (index) => ['start', index], 'start milestone')
  const terminal = terminals(context, raw.terminal)
  const problemsBeforeEdges = context.problems.length
  const flow = { edges: edges(context, raw.flow?.edges), mandatory: context.milestoneList(raw.flow?.mandatory ?? [], ['flow', 'mandatory']) }
  const rework = {
    mayRepeat: context.milestoneList(raw.rework?.may_repeat ?? [], ['rework', 'may_repeat']),
    reworkActivities: context.milestoneList(raw.rework?.activities ?? [], ['rework', 'activities']),
  }
  const calendar = buildCalendar(context, raw.calendar)
  const systems = new Set(milestones.flatMap((milestone) => milestone.system ?? []))
  const definitionChildren = children(context, raw.children, root, keys)
  const slas = buildSlas(context, raw.slas, start, terminal, calendar)
  const stages = buildStages(context, raw.stages, calendar)
  const defaultStageThreshold =
    raw.default_stage_threshold === undefined ? undefined : buildThreshold(context, raw.default_stage_threshold, ['default_stage_threshold'])
  const latenessAllowance = buildLateness(context, raw.lateness_allowance, systems)
  const clockSkewToleranceMs =
    raw.clock_skew_tolerance === undefined ? DEFAULTS.clockSkewToleranceMs : context.duration(raw.clock_skew_tolerance, ['clock_skew_tolerance'])
  // An edge that named an unknown milestone was dropped: reachability would only echo that error.
  const edgesIntact = !context.problems.slice(problemsBeforeEdges).some((problem) => problem.severity === 'error' && problem.field.startsWith('flow.edges'))
  if (edgesIntact)
    checkReachability(
      context,
      start,
      terminal,
      flow.edges,
      raw.terminal.map((end) => end.milestone),
    )
  if (raw.value?.currency !== undefined && raw.value.currency_attribute !== undefined) {
    context.error(ProblemCode.invalidValue, ['value', 'currency_attribute'], 'give either a fixed currency or a currency_attribute, not both')
  }

  if (
    context.failed ||
    name === undefined ||
    version === undefined ||
    root === undefined ||
    calendar === undefined ||
    latenessAllowance === undefined ||
    clockSkewToleranceMs === undefined
  ) {
    return { ok: false, problems: context.problems }
  }
  const value = raw.value === undefined ? undefined : { attribute: raw.value.attribute ?? DEFAULTS.valueAttribute, currency: currencySource(raw.value) }
  const definition: ProcessDefinition = {
    name,
    version,
    ...optional('description', raw.description),
    rootKey: root,
    keys,
    milestones,
    start,
    terminal,
    children: definitionChildren,
    flow,
    rework,
    slas,
    stages,
    ...optional('defaultStageThreshold', defaultStageThreshold),
    ...optional('value', value),
    calendar,
    latenessAllowance,
    clockSkewToleranceMs,
    nMin: raw.n_min ?? DEFAULTS.nMin,
    source: { file: source.file, line: source.lineOf([]) },
  }
  return { ok: true, definition: deepFreeze(definition), warnings: context.problems }
}
