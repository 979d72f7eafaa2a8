// Loads every *.yaml / *.yml file of a directory (default processes.d/) as process
// definitions: YAML syntax, then the schema, then the model with its semantic checks, then
// checks across files. One bad definition fails the whole set: a service that silently ran
// without one of its processes would report that process as perfectly quiet.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Compile } from 'typebox/compile'
import { buildDefinition } from './build-definition.ts'
import type { ProcessDefinition } from './model.ts'
import { isError, ProblemCode, sortProblems, type DefinitionProblem } from './problems.ts'
import { ProcessDefinitionSchema, type ProcessDefinitionDocument } from './schema.ts'
import { schemaIssues } from './schema-errors.ts'
import { readSourceFile, type SourceDocument } from './yaml-source.ts'

export const DEFAULT_DEFINITIONS_DIR = 'processes.d'

export type DefinitionLoad =
  | {
      readonly ok: true
      /** Sorted by name. */
      readonly definitions: readonly ProcessDefinition[]
      readonly warnings: readonly DefinitionProblem[]
      readonly files: readonly string[]
    }
  | { readonly ok: false; readonly problems: readonly DefinitionProblem[]; readonly files: readonly string[] }

export interface DefinitionFileResult {
  readonly definitions: ProcessDefinition[]
  readonly problems: DefinitionProblem[]
  /** Every document that names a process, valid or not, for the duplicate check across files. */
  readonly named: Array<{ readonly name: string; readonly source: SourceDocument }>
}

const documentValidator = Compile(ProcessDefinitionSchema)

/** The value as a typed document when the schema accepts it (Check narrows); else its problems. */
function schemaChecked(source: SourceDocument, problems: DefinitionProblem[]): ProcessDefinitionDocument | undefined {
  const value = source.value
  if (documentValidator.Check(value)) return value
  for (const issue of schemaIssues(ProcessDefinitionSchema, value)) problems.push(source.problem('error', issue.code, issue.path, issue.message, issue.at))
  return undefined
}

/** The definitions in one file's text (several documents separated by --- are allowed). */
export function parseDefinitionFile(file: string, text: string): DefinitionFileResult {
  const parsed = readSourceFile(file, text)
  const result: DefinitionFileResult = { definitions: [], problems: [...parsed.problems], named: [] }
  for (const source of parsed.documents) {
    const value = source.value
    if (typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string') result.named.push({ name: value.name, source })
    const document = schemaChecked(source, result.problems)
    if (document === undefined) continue
    const built = buildDefinition(source, document)
    if (built.ok) {
      result.definitions.push(built.definition)
      result.problems.push(...built.warnings)
    } else {
      result.problems.push(...built.problems)
    }
  }
  return result
}

function duplicateProcesses(results: readonly DefinitionFileResult[]): DefinitionProblem[] {
  const first = new Map<string, SourceDocument>()
  const problems: DefinitionProblem[] = []
  for (const { name, source } of results.flatMap((result) => result.named)) {
    const earlier = first.get(name)
    if (earlier === undefined) first.set(name, source)
    else
      problems.push(
        source.problem(
          'error',
          ProblemCode.duplicateProcess,
          ['name'],
          `process '${name}' is already defined at ${earlier.file}:${earlier.lineOf(['name'])}; one name, one definition (keep older versions in version control)`,
        ),
      )
  }
  return problems
}

async function definitionFiles(dir: string): Promise<string[] | DefinitionProblem> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries
      .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && !entry.name.startsWith('.'))
      .map((entry) => join(dir, entry.name))
      .sort()
  } catch (error) {
    return {
      severity: 'error',
      code: ProblemCode.unreadable,
      file: dir,
      line: 0,
      field: '(directory)',
      message: `cannot read the definitions directory: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}

async function readDefinitionFile(file: string): Promise<DefinitionFileResult> {
  try {
    return parseDefinitionFile(file, await readFile(file, 'utf8'))
  } catch (error) {
    const problem: DefinitionProblem = {
      severity: 'error',
      code: ProblemCode.unreadable,
      file,
      line: 0,
      field: '(file)',
      message: `cannot read: ${error instanceof Error ? error.message : String(error)}`,
    }
    return { definitions: [], problems: [problem], named: [] }
  }
}

function combine(results: readonly DefinitionFileResult[], files: readonly string[], extra: readonly DefinitionProblem[] = []): DefinitionLoad {
  const problems = sortProblems([...results.flatMap((result) => result.problems), ...duplicateProcesses(results), ...extra])
  if (problems.some(isError)) return { ok: false, problems, files }
  const definitions = results.flatMap((result) => result.definitions).sort((a, b) => a.name.localeCompare(b.name))
  return { ok: true, definitions: Object.freeze(definitions), warnings: problems, files }
}

/** Checks definitions given as text (an API upload, a test), as the loader checks files. */
export function checkDefinitionTexts(files: ReadonlyArray<{ readonly file: string; readonly text: string }>): DefinitionLoad {
  return combine(
    files.map(({ file, text }) => parseDefinitionFile(file, text)),
    files.map(({ file }) => file),
  )
}

/** Loads and checks every definition file of `dir`. */
export async function loadProcessDefinitions(dir: string = DEFAULT_DEFINITIONS_DIR): Promise<DefinitionLoad> {
  const files = await definitionFiles(dir)
  if (!Array.isArray(files)) return { ok: false, problems: [files], files: [] }
  const empty: DefinitionProblem[] =
    files.length > 0
      ? []
      : [{ severity: 'warning', code: ProblemCode.noDefinitions, file: dir, line: 0, field: '(directory)', message: 'holds no *.yaml or *.yml file' }]
  return combine(await Promise.all(files.map(readDefinitionFile)), files, empty)
}
