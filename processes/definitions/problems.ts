// What is wrong with a definition file, said so that an editor or CI log can jump to it:
// file, line, the field as a path (milestones[2].recognised_by[0].span_name) and a message.
// Every code is listed in docs/process-definitions.md with how to fix it.

export const ProblemCode = {
  unreadable: 'unreadable',
  yamlSyntax: 'yaml_syntax',
  missingField: 'missing_field',
  unknownField: 'unknown_field',
  invalidValue: 'invalid_value',
  badName: 'bad_name',
  badVersion: 'bad_version',
  badDuration: 'bad_duration',
  badPattern: 'bad_pattern',
  badCalendar: 'bad_calendar',
  duplicateProcess: 'duplicate_process',
  duplicateName: 'duplicate_name',
  unknownMilestone: 'unknown_milestone',
  unknownKeyType: 'unknown_key_type',
  badKeyRole: 'bad_key_role',
  childCycle: 'child_cycle',
  emptyRecogniser: 'empty_recogniser',
  unreachableTerminal: 'unreachable_terminal',
  duplicateEdge: 'duplicate_edge',
  unknownSystem: 'unknown_system',
  noDefinitions: 'no_definitions',
  // Alert rules (rules/): one problem list for every file-as-code.
  duplicateRule: 'duplicate_rule',
  unknownProcess: 'unknown_process',
  unknownSla: 'unknown_sla',
  labelTemplate: 'label_template',
} as const

export type ProblemCodeValue = (typeof ProblemCode)[keyof typeof ProblemCode]

export type Severity = 'error' | 'warning'

/** A path into the YAML document: map keys and sequence indexes. */
export type FieldPath = ReadonlyArray<string | number>

export interface DefinitionProblem {
  readonly severity: Severity
  readonly code: ProblemCodeValue
  readonly file: string
  /** 1-based: the line of the field, or of the nearest enclosing field written; 0 for a file or directory as a whole. */
  readonly line: number
  readonly field: string
  readonly message: string
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** ['milestones', 2, 'name'] -> 'milestones[2].name'; odd keys are quoted: attributes["http.route"]. */
export function fieldName(path: FieldPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out === '' ? '(document)' : out
}

/** `FILE:LINE: FIELD: message`, warnings marked, as compilers print so editors link it. */
export function formatProblem(problem: DefinitionProblem): string {
  const marker = problem.severity === 'warning' ? 'warning: ' : ''
  const where = problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file
  return `${where}: ${problem.field}: ${marker}${problem.message}`
}

export const isError = (problem: DefinitionProblem): boolean => problem.severity === 'error'

/** Problems in file order, then by line, so the output reads top to bottom. */
export function sortProblems(problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.field.localeCompare(b.field))
}
