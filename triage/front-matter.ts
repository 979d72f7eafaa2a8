// The YAML front matter of a runbook (between `---` lines at the top): split off, parsed with
// the `yaml` package so each field keeps its line, and checked against one TypeBox schema.
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import type { RunbookFrontMatter } from './model.ts'
import { problem, RunbookProblemCode, type RunbookProblem } from './problems.ts'

const Labels = Type.Record(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }), Type.String())

export const RunbookFrontMatterSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', description: 'the runbook id; the file is runbooks/<id>.md and rules name it in `runbook`' }),
    applies_to: Type.Object(
      {
        rules: Type.Optional(
          Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' }), { description: 'rule ids (file rules, or a built-in such as SourceLate)' }),
        ),
        labels: Type.Optional(Labels),
      },
      { additionalProperties: false, minProperties: 1, description: 'rules by id, alerts by label values, or both' },
    ),
    owner: Type.String({ minLength: 1, description: 'the team that keeps this runbook true' }),
    severity_guide: Type.Object(
      { critical: Type.Optional(Type.String()), warning: Type.Optional(Type.String()), info: Type.Optional(Type.String()) },
      { additionalProperties: false, minProperties: 1, description: 'what each severity means for this alert' },
    ),
    last_reviewed: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date, YYYY-MM-DD' }),
  },
  { additionalProperties: false },
)

type FrontMatterDocument = Type.Static<typeof RunbookFrontMatterSchema>

const validator = Compile(RunbookFrontMatterSchema)

export interface SplitFile {
  /** The YAML text, or undefined when the file has no front matter. */
  readonly yaml?: string
  /** 1-based line of the YAML's first line. */
  readonly yamlLine: number
  /** The Markdown with the front matter's lines left empty, so body lines are file lines. */
  readonly body: string
}

export function splitFrontMatter(text: string): SplitFile {
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  if (lines[0]?.trimEnd() !== '---') return { yamlLine: 0, body: text }
  const close = lines.findIndex((line, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(line))
  if (close === -1) return { yamlLine: 0, body: text }
  return {
    yaml: lines.slice(1, close).join('\n'),
    yamlLine: 2,
    body: [...lines.slice(0, close + 1).map(() => ''), ...lines.slice(close + 1)].join('\n'),
  }
}

type Path = ReadonlyArray<string | number>

/** The 1-based line of `path` in the document, or of its nearest written ancestor. */
function lineFinder(document: Document.Parsed, counter: LineCounter, firstLine: number): (path: Path) => number {
  const lineAt = (offset: number): number => counter.linePos(offset).line + firstLine - 1
  return (path) => {
    let node: unknown = document.contents
    let line = firstLine
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part))
        if (pair === undefined) return line
        if (isScalar(pair.key) && pair.key.range) line = lineAt(pair.key.range[0])
        node = pair.value
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part]
        if (item === undefined) return line
        if ((isScalar(item) || isMap(item) || isSeq(item)) && item.range) line = lineAt(item.range[0])
        node = item
      } else return line
    }
    return line
  }
}

const fieldOf = (path: Path): string =>
  ['front_matter', ...path].map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('')

function schemaProblems(file: string, value: unknown, lineOf: (path: Path) => number): RunbookProblem[] {
  const problems: RunbookProblem[] = []
  for (const error of validator.Errors(value)) {
    const path: Path = error.instancePath
      .split('/')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replaceAll('~1', '/').replaceAll('~0', '~')))
    const params: Readonly<Record<string, unknown>> = error.params
    const names = (key: string): string[] => (Array.isArray(params[key]) ? params[key].map(String) : [])
    if (error.keyword === 'boolean') continue // the additionalProperties error below says it better
    if (error.keyword === 'required') {
      for (const name of names('requiredProperties'))
        problems.push(problem('error', RunbookProblemCode.missingField, file, lineOf(path), fieldOf([...path, name]), `'${name}' is required`))
    } else if (error.keyword === 'additionalProperties') {
      for (const name of names('additionalProperties'))
        problems.push(problem('error', RunbookProblemCode.unknownField, file, lineOf([...path, name]), fieldOf([...path, name]), `unknown field '${name}'`))
    } else {
      const description = error.keyword === 'minProperties' || error.keyword === 'pattern' ? describeField(path) : ''
      problems.push(problem('error', RunbookProblemCode.invalidValue, file, lineOf(path), fieldOf(path), `${error.message}${description}`))
    }
  }
  return problems
}

function describeField(path: Path): string {
  let schema: unknown = RunbookFrontMatterSchema
  for (const part of path) {
    const properties: unknown = typeof schema === 'object' && schema !== null && 'properties' in schema ? schema.properties : undefined
    schema = typeof properties === 'object' && properties !== null && typeof part === 'string' ? Reflect.get(properties, part) : undefined
  }
  const description: unknown = typeof schema === 'object' && schema !== null && 'description' in schema ? schema.description : undefined
  return typeof description === 'string' ? `: ${description}` : ''
}

const isRealDate = (text: string): boolean => {
  const ms = Date.parse(`${text}T00:00:00Z`)
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text)
}

export interface FrontMatterRead {
  readonly frontMatter?: RunbookFrontMatter
  readonly problems: readonly RunbookProblem[]
  /** The line of a front-matter field, for problems found later (validation). */
  readonly lineOf: (path: Path) => number
}

export function readFrontMatter(file: string, split: SplitFile): FrontMatterRead {
  if (split.yaml === undefined) {
    const message = 'a runbook starts with YAML front matter between --- lines (id, applies_to, owner, severity_guide, last_reviewed)'
    return { problems: [problem('error', RunbookProblemCode.missingFrontMatter, file, 1, 'front_matter', message)], lineOf: () => 1 }
  }
  const counter = new LineCounter()
  const document = parseDocument(split.yaml, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) =>
      problem(
        'error',
        RunbookProblemCode.yamlSyntax,
        file,
        counter.linePos(error.pos[0]).line + split.yamlLine - 1,
        'front_matter',
        error.message.split('\n')[0]!,
      ),
    )
    return { problems, lineOf: () => split.yamlLine }
  }
  const lineOf = lineFinder(document, counter, split.yamlLine)
  const value: unknown = document.toJS()
  if (!validator.Check(value)) return { problems: schemaProblems(file, value, lineOf), lineOf }
  const doc: FrontMatterDocument = value
  if (!isRealDate(doc.last_reviewed)) {
    const message = `'${doc.last_reviewed}' is not a date`
    return { problems: [problem('error', RunbookProblemCode.invalidValue, file, lineOf(['last_reviewed']), fieldOf(['last_reviewed']), message)], lineOf }
  }
  return {
    frontMatter: {
      id: doc.id,
      appliesTo: { rules: doc.applies_to.rules ?? [], labels: doc.applies_to.labels ?? {} },
      owner: doc.owner,
      severityGuide: doc.severity_guide,
      lastReviewed: doc.last_reviewed,
    },
    problems: [],
    lineOf,
  }
}
