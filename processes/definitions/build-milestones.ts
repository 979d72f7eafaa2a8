// Key types and milestones of a definition, with how each milestone is recognised. Names are
// checked and registered here first, since every later section refers to them.
import type Type from 'typebox'
import { businessKeyAttribute } from '../../core/semconv.ts'
import { type BuildContext, optional } from './build-context.ts'
import type { AttributeMatch, KeyDefinition, MilestoneDefinition, Recogniser, TextMatch, ValueMatch } from './model.ts'
import { keyType, milestoneName } from './names.ts'
import { ProblemCode, type FieldPath } from './problems.ts'
import type { ProcessDefinitionDocument } from './schema.ts'
import type { RecogniserSchema, TextMatchSchema, ValueMatchSchema } from './schema-milestones.ts'

type RawTextMatch = Type.Static<typeof TextMatchSchema>
type RawValueMatch = Type.Static<typeof ValueMatchSchema>
type RawRecogniser = Type.Static<typeof RecogniserSchema>

export function buildKeys(context: BuildContext, raw: ProcessDefinitionDocument['keys']): KeyDefinition[] {
  context.unique(
    raw.map((key) => key.type),
    (index) => ['keys', index, 'type'],
    'key type',
  )
  const carriedBy = new Map<string, string>()
  const keys: KeyDefinition[] = []
  raw.forEach((key, index) => {
    const type = context.name(keyType(key.type), ['keys', index, 'type'])
    if (type === undefined || context.keyTypes.has(type)) return
    context.keyTypes.set(type, type)
    const attributes = key.attributes ?? [businessKeyAttribute(type)]
    attributes.forEach((attribute, position) => {
      const other = carriedBy.get(attribute)
      // One attribute feeding two key types would link unrelated instances.
      if (other !== undefined)
        context.error(ProblemCode.duplicateName, ['keys', index, 'attributes', position], `attribute '${attribute}' already carries key type '${other}'`)
      else carriedBy.set(attribute, type)
    })
    keys.push({ type, role: key.role ?? 'instance', attributes })
  })
  return keys
}

// The deriver matches in JavaScript and backfill matches in ClickHouse (RE2), so a pattern
// must mean the same in both: RE2 has no lookaround and no backreferences.
const NOT_IN_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</

function pattern(context: BuildContext, source: string, path: FieldPath): string | undefined {
  try {
    new RegExp(source, 'u')
  } catch (error) {
    return context.error(ProblemCode.badPattern, path, `'${source}' is not a regular expression: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (NOT_IN_RE2.test(source)) {
    return context.error(
      ProblemCode.badPattern,
      path,
      `'${source}' uses lookaround or a backreference, which ClickHouse (RE2) cannot run; rewrite it without them`,
    )
  }
  return source
}

function textMatch(context: BuildContext, raw: RawTextMatch, path: FieldPath): TextMatch | undefined {
  if (typeof raw === 'string') return { kind: 'equals', text: raw }
  if ('equals' in raw) return { kind: 'equals', text: raw.equals }
  if ('contains' in raw) return { kind: 'contains', text: raw.contains }
  const source = pattern(context, raw.pattern, [...path, 'pattern'])
  return source === undefined ? undefined : { kind: 'pattern', pattern: source }
}

function valueMatch(context: BuildContext, raw: RawValueMatch, path: FieldPath): ValueMatch | undefined {
  if (Array.isArray(raw)) return { kind: 'one_of', values: raw.map(String) }
  if (typeof raw !== 'object') return { kind: 'one_of', values: [String(raw)] }
  if ('present' in raw) return { kind: 'present' }
  const source = pattern(context, raw.pattern, [...path, 'pattern'])
  return source === undefined ? undefined : { kind: 'pattern', pattern: source }
}

function attributeMatches(context: BuildContext, raw: Readonly<Record<string, RawValueMatch>> | undefined, path: FieldPath): AttributeMatch[] {
  return Object.entries(raw ?? {}).flatMap(([attribute, match]) => {
    const built = valueMatch(context, match, [...path, 'attributes', attribute])
    return built === undefined ? [] : [{ attribute, match: built }]
  })
}

const textOf = (context: BuildContext, raw: RawTextMatch | undefined, path: FieldPath): TextMatch | undefined =>
  raw === undefined ? undefined : textMatch(context, raw, path)

function recogniser(context: BuildContext, raw: RawRecogniser, path: FieldPath): Recogniser | undefined {
  const attributes = attributeMatches(context, raw.attributes, path)
  const hasAttributes = Object.keys(raw.attributes ?? {}).length > 0
  if (raw.from === 'span') {
    // service, kind and status alone would claim every span of a service for one milestone.
    if (raw.span_name === undefined && !hasAttributes) {
      return context.error(ProblemCode.emptyRecogniser, path, 'a span recogniser needs span_name or attributes, or it would match every span')
    }
    return {
      from: 'span',
      ...optional('spanName', textOf(context, raw.span_name, [...path, 'span_name'])),
      ...optional('service', textOf(context, raw.service, [...path, 'service'])),
      ...optional('spanKind', raw.span_kind),
      ...optional('status', raw.status),
      attributes,
    }
  }
  if (raw.event_name === undefined && raw.body === undefined && !hasAttributes) {
    return context.error(ProblemCode.emptyRecogniser, path, 'a log recogniser needs event_name, body or attributes, or it would match every log record')
  }
  return {
    from: 'log',
    ...optional('eventName', textOf(context, raw.event_name, [...path, 'event_name'])),
    ...optional('body', textOf(context, raw.body, [...path, 'body'])),
    ...optional('service', textOf(context, raw.service, [...path, 'service'])),
    attributes,
  }
}

export function buildMilestones(context: BuildContext, raw: ProcessDefinitionDocument['milestones']): MilestoneDefinition[] {
  context.unique(
    raw.map((milestone) => milestone.name),
    (index) => ['milestones', index, 'name'],
    'milestone',
  )
  for (const [index, milestone] of raw.entries()) {
    const name = context.name(milestoneName(milestone.name), ['milestones', index, 'name'])
    if (name !== undefined && !context.milestones.has(name)) context.milestones.set(name, name)
  }
  // An alias is another spelling of business.milestone, so it may not name a second step.
  const spelledBy = new Map<string, string>([...context.milestones.keys()].map((name) => [name, name]))
  const milestones: MilestoneDefinition[] = []
  raw.forEach((milestone, index) => {
    const name = context.milestones.get(milestone.name)
    const aliases = milestone.aliases ?? []
    aliases.forEach((alias, position) => {
      const owner = spelledBy.get(alias)
      if (owner !== undefined)
        context.error(ProblemCode.duplicateName, ['milestones', index, 'aliases', position], `'${alias}' already means milestone '${owner}'`)
      else spelledBy.set(alias, milestone.name)
    })
    const recognisers = (milestone.recognised_by ?? []).flatMap(
      (entry, position) => recogniser(context, entry, ['milestones', index, 'recognised_by', position]) ?? [],
    )
    if (name === undefined || milestones.some((built) => built.name === name)) return
    milestones.push({
      name,
      ...optional('description', milestone.description),
      ...optional('system', milestone.system),
      ...optional('object', milestone.object),
      aliases,
      recognisers,
    })
  })
  return milestones
}
