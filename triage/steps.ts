// Turns a fenced block with attributes (```sql {name=top_errors kind=diagnostic auto=true
// timeout=10s max_rows=10 title="Top errors"}) into a step. Each kind lists the attributes it
// takes and builds its own step; a block without `{...}` is an example, not a step.
import { parseDuration } from '../core/durations.ts'
import type { ActionStep, DiagnosticStep, QueryParameter, RunbookStep, StepKind } from './model.ts'
import { parameterTypeProblem } from './parameters.ts'
import { problem, RunbookProblemCode, type RunbookProblem, type RunbookProblemCodeValue } from './problems.ts'
import { linesBefore, placeholders, statementProblem } from './sql-text.ts'

export const DEFAULT_TIMEOUT_MS = 10_000
export const MAX_TIMEOUT_MS = 300_000
export const DEFAULT_MAX_ROWS = 100
export const MAX_MAX_ROWS = 10_000
const STEP_NAME = /^[a-z][a-z0-9_]*$/

/** A fenced block as the Markdown parser hands it over. */
export interface FencedBlock {
  readonly info: string
  readonly code: string
  /** 1-based line of the opening fence. */
  readonly line: number
  readonly section: string
}

type Attributes = ReadonlyMap<string, string>

interface StepContext {
  readonly file: string
  readonly block: FencedBlock
  readonly language: string
  readonly attributes: Attributes
  readonly field: (attribute: string) => string
  readonly report: (code: RunbookProblemCodeValue, field: string, message: string, line?: number) => void
}

interface StepKindSpec {
  readonly attributes: ReadonlySet<string>
  build(context: StepContext, common: Omit<ActionStep, 'kind'>): RunbookStep
}

// Bare values stop at spaces, quotes and braces; quoted values take \" and \\ escapes.
const ATTRIBUTE = /\s*([A-Za-z_][A-Za-z0-9_-]*)=(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"'{}=]+))/y

export type ParsedAttributes = { readonly ok: true; readonly attributes: Attributes } | { readonly ok: false; readonly message: string }

/** The `{...}` of an info string as key/value pairs. */
export function parseAttributes(text: string): ParsedAttributes {
  const attributes = new Map<string, string>()
  let position = 0
  while (position < text.length) {
    if (text.slice(position).trim() === '') break
    ATTRIBUTE.lastIndex = position
    const match = ATTRIBUTE.exec(text)
    if (match === null) {
      const rest = text.slice(position).trim()
      return { ok: false, message: `cannot read '${rest.split(/\s/)[0]}': write key=value, or key="text with spaces"` }
    }
    const [, key, doubleQuoted, singleQuoted, bare] = match
    if (attributes.has(key!)) return { ok: false, message: `'${key}' is given twice` }
    attributes.set(key!, (doubleQuoted ?? singleQuoted ?? bare ?? '').replace(/\\(.)/g, '$1'))
    position = ATTRIBUTE.lastIndex
    if (position < text.length && !/\s/.test(text[position]!)) return { ok: false, message: `put a space after ${key}=...` }
  }
  return { ok: true, attributes }
}

function duration(context: StepContext, fallback: number): number {
  const text = context.attributes.get('timeout')
  if (text === undefined) return fallback
  const parsed = parseDuration(text)
  if (!parsed.ok) context.report(RunbookProblemCode.badDuration, context.field('timeout'), parsed.message)
  else if (parsed.ms <= 0 || parsed.ms > MAX_TIMEOUT_MS)
    context.report(RunbookProblemCode.badDuration, context.field('timeout'), `'${text}' must be more than 0s and at most 5m`)
  else return parsed.ms
  return fallback
}

function flag(context: StepContext, attribute: string): boolean {
  const text = context.attributes.get(attribute)
  if (text === undefined || text === 'false') return false
  if (text === 'true') return true
  context.report(RunbookProblemCode.badAttribute, context.field(attribute), `'${text}' must be true or false`)
  return false
}

function rowLimit(context: StepContext): number {
  const text = context.attributes.get('max_rows')
  if (text === undefined) return DEFAULT_MAX_ROWS
  const rows = /^\d+$/.test(text) ? Number(text) : NaN
  if (rows >= 1 && rows <= MAX_MAX_ROWS) return rows
  context.report(RunbookProblemCode.badAttribute, context.field('max_rows'), `'${text}' must be a whole number from 1 to ${MAX_MAX_ROWS}`)
  return DEFAULT_MAX_ROWS
}

const COMMON_ATTRIBUTES = ['name', 'kind', 'title', 'timeout']

/** The step kinds, keyed by the `kind` attribute. */
export const STEP_KINDS: Readonly<Record<StepKind, StepKindSpec>> = {
  diagnostic: {
    attributes: new Set([...COMMON_ATTRIBUTES, 'auto', 'max_rows']),
    build(context, common): DiagnosticStep {
      if (context.language !== 'sql') {
        context.report(
          RunbookProblemCode.badAttribute,
          context.field('kind'),
          `diagnostic steps are read-only SQL: open the block with \`\`\`sql, not \`\`\`${context.language}`,
        )
      }
      return { ...common, kind: 'diagnostic', auto: flag(context, 'auto'), maxRows: rowLimit(context) }
    },
  },
  action: {
    attributes: new Set([...COMMON_ATTRIBUTES, 'auto']),
    build(context, common): ActionStep {
      if (context.attributes.has('auto') && context.attributes.get('auto') !== 'false') {
        context.report(RunbookProblemCode.badAttribute, context.field('auto'), 'actions never run by themselves: an operator runs them (audited); remove auto')
      }
      return { ...common, kind: 'action' }
    },
  },
}

const isStepKind = (kind: string): kind is StepKind => Object.hasOwn(STEP_KINDS, kind)

function sqlParameters(context: StepContext): QueryParameter[] {
  if (context.language !== 'sql') return []
  const { block } = context
  const statement = statementProblem(block.code)
  if (statement !== undefined) context.report(RunbookProblemCode.badStatement, context.field('sql'), statement)
  // The code starts on the line after the fence.
  const parameters = placeholders(block.code).map((p) => ({ name: p.name, type: p.type, line: block.line + 1 + linesBefore(block.code, p.offset) }))
  for (const parameter of parameters) {
    const typeProblem = parameterTypeProblem(parameter)
    if (typeProblem !== undefined) context.report(RunbookProblemCode.badParameter, context.field(`sql.${parameter.name}`), typeProblem, parameter.line)
  }
  return parameters.filter((p, i) => parameters.findIndex((q) => q.name === p.name) === i)
}

export interface StepRead {
  /** Undefined for a plain code block (no attributes) and for one too broken to be a step. */
  readonly step?: RunbookStep
  readonly problems: readonly RunbookProblem[]
}

/** Reads one fenced block; problems carry the file and the fence's line. */
export function readStep(file: string, block: FencedBlock): StepRead {
  if (!block.info.includes('{')) return { problems: [] }
  const match = /^([^\s{]*)\s*\{(.*)\}\s*$/s.exec(block.info.trim())
  const problems: RunbookProblem[] = []
  const fieldAt = (name: string) => (attribute: string) => `steps.${name}.${attribute}`
  if (match === null) {
    problems.push(
      problem(
        'error',
        RunbookProblemCode.badAttribute,
        file,
        block.line,
        'steps.(unnamed)',
        `cannot read the attributes of '${block.info.trim()}': write \`\`\`sql {name=... kind=...}`,
      ),
    )
    return { problems }
  }
  const parsed = parseAttributes(match[2]!)
  const rawName = parsed.ok ? parsed.attributes.get('name') : undefined
  const field = fieldAt(rawName ?? '(unnamed)')
  if (!parsed.ok) {
    problems.push(problem('error', RunbookProblemCode.badAttribute, file, block.line, field('attributes'), parsed.message))
    return { problems }
  }
  const { attributes } = parsed
  const report = (code: RunbookProblemCodeValue, fieldName: string, message: string, line = block.line): void => {
    problems.push(problem('error', code, file, line, fieldName, message))
  }
  if (rawName === undefined || !STEP_NAME.test(rawName)) {
    report(
      RunbookProblemCode.badAttribute,
      field('name'),
      rawName === undefined ? 'a step needs a name=... (a-z, 0-9, _)' : `'${rawName}' must match ${STEP_NAME}`,
    )
  }
  const kind = attributes.get('kind')
  if (kind === undefined || !isStepKind(kind)) {
    const known = Object.keys(STEP_KINDS).join(' or ')
    report(RunbookProblemCode.unknownKind, field('kind'), kind === undefined ? `a step needs kind=${known}` : `unknown kind '${kind}': use ${known}`)
    return { problems }
  }
  const spec = STEP_KINDS[kind]
  for (const key of attributes.keys()) {
    if (!spec.attributes.has(key)) report(RunbookProblemCode.unknownAttribute, field(key), `${kind} steps take ${[...spec.attributes].join(', ')}`)
  }
  const context: StepContext = { file, block, language: match[1]!.toLowerCase(), attributes, field, report }
  const name = rawName ?? ''
  const step = spec.build(context, {
    name,
    title: attributes.get('title') ?? name,
    language: context.language,
    code: block.code,
    line: block.line,
    section: block.section,
    timeoutMs: duration(context, DEFAULT_TIMEOUT_MS),
    parameters: sqlParameters(context),
  })
  return problems.length === 0 ? { step, problems } : { problems }
}
