// Which milestone of a definition a span or log record marks, by the rules of
// docs/process-definitions.md: an explicit business.milestone (or an alias of it) always
// wins; otherwise the first milestone in file order with a matching recogniser. Patterns are
// compiled once per definition, not per record.
import { BusinessAttr } from '../../core/semconv.ts'
import type { AttributeMatch, ProcessDefinition, Recogniser, SpanKindName, TextMatch, ValueMatch } from './model.ts'
import type { MilestoneName } from './names.ts'

/** The parts of a span or log record recognition looks at; attributes as stored (text). */
export interface RecordView {
  readonly signal: 'span' | 'log'
  /** The span name, for spans. */
  readonly spanName?: string
  readonly spanKind?: SpanKindName
  /** True when the span status is Error. */
  readonly spanFailed?: boolean
  /** The log record's EventName, for logs. */
  readonly eventName?: string
  readonly body?: string
  /** The resource's service.name. */
  readonly serviceName?: string
  readonly attributes: Readonly<Record<string, string>>
}

export type Recognition =
  | { readonly kind: 'milestone'; readonly milestone: MilestoneName; readonly by: 'attribute' | 'alias' | 'recogniser' }
  /** The record names a milestone (business.milestone) this definition does not declare. */
  | { readonly kind: 'undeclared'; readonly name: string }
  /** The record belongs to another process, or nothing recognises it. */
  | { readonly kind: 'none' }

type Test = (text: string | undefined) => boolean

function textTest(match: TextMatch | undefined): Test {
  if (match === undefined) return () => true
  if (match.kind === 'equals') return (text) => text === match.text
  if (match.kind === 'contains') return (text) => text !== undefined && text.includes(match.text)
  const regex = new RegExp(match.pattern, 'u')
  return (text) => text !== undefined && regex.test(text)
}

function valueTest(match: ValueMatch): Test {
  if (match.kind === 'present') return (value) => value !== undefined
  if (match.kind === 'one_of') return (value) => value !== undefined && match.values.includes(value)
  const regex = new RegExp(match.pattern, 'u')
  return (value) => value !== undefined && regex.test(value)
}

type RecordTest = (record: RecordView) => boolean

function attributesTest(matches: readonly AttributeMatch[]): RecordTest {
  const tests = matches.map(({ attribute, match }) => ({ attribute, test: valueTest(match) }))
  return (record) => tests.every(({ attribute, test }) => test(record.attributes[attribute]))
}

function recogniserTest(recogniser: Recogniser): RecordTest {
  const attributes = attributesTest(recogniser.attributes)
  const service = textTest(recogniser.service)
  if (recogniser.from === 'span') {
    const name = textTest(recogniser.spanName)
    const { spanKind, status } = recogniser
    return (record) =>
      record.signal === 'span' &&
      (spanKind === undefined || record.spanKind === spanKind) &&
      (status === undefined || (status === 'error') === (record.spanFailed === true)) &&
      name(record.spanName) &&
      service(record.serviceName) &&
      attributes(record)
  }
  const eventName = textTest(recogniser.eventName)
  const body = textTest(recogniser.body)
  return (record) => record.signal === 'log' && eventName(record.eventName) && body(record.body) && service(record.serviceName) && attributes(record)
}

/** A recogniser for one definition: build it once, call it for every record. */
export function milestoneRecogniser(definition: ProcessDefinition): (record: RecordView) => Recognition {
  const byName = new Map<string, MilestoneName>(definition.milestones.map((milestone) => [milestone.name, milestone.name]))
  const byAlias = new Map<string, MilestoneName>(
    definition.milestones.flatMap((milestone) => milestone.aliases.map((alias) => [alias, milestone.name] as const)),
  )
  const candidates = definition.milestones.flatMap((milestone) =>
    milestone.recognisers.map((recogniser) => ({ milestone: milestone.name, test: recogniserTest(recogniser) })),
  )
  return (record) => {
    const process = record.attributes[BusinessAttr.process]
    if (process !== undefined && process !== definition.name) return { kind: 'none' }
    const named = record.attributes[BusinessAttr.milestone]
    if (named !== undefined) {
      const milestone = byName.get(named)
      if (milestone !== undefined) return { kind: 'milestone', milestone, by: 'attribute' }
      const aliased = byAlias.get(named)
      return aliased !== undefined ? { kind: 'milestone', milestone: aliased, by: 'alias' } : { kind: 'undeclared', name: named }
    }
    const found = candidates.find((candidate) => candidate.test(record))
    return found === undefined ? { kind: 'none' } : { kind: 'milestone', milestone: found.milestone, by: 'recogniser' }
  }
}
