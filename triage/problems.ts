// What is wrong with a runbook, said so that an editor or a CI log can jump to it:
// FILE:LINE: FIELD: message, the same shape process definitions and rules report in
// (processes/definitions/problems.ts), so the CLI prints all three alike.
// Every code is listed in docs/runbooks.md with how to fix it.

export const RunbookProblemCode = {
  unreadable: 'unreadable',
  noRunbooks: 'no_runbooks',
  missingFrontMatter: 'missing_front_matter',
  yamlSyntax: 'yaml_syntax',
  missingField: 'missing_field',
  unknownField: 'unknown_field',
  invalidValue: 'invalid_value',
  idMismatch: 'id_mismatch',
  missingSection: 'missing_section',
  duplicateSection: 'duplicate_section',
  badAttribute: 'bad_attribute',
  unknownAttribute: 'unknown_attribute',
  unknownKind: 'unknown_kind',
  duplicateStep: 'duplicate_step',
  badDuration: 'bad_duration',
  badStatement: 'bad_statement',
  badParameter: 'bad_parameter',
  unknownParameter: 'unknown_parameter',
  explainFailed: 'explain_failed',
  duplicateRunbook: 'duplicate_runbook',
  unknownRule: 'unknown_rule',
  noRunbook: 'no_runbook',
  partialCoverage: 'partial_coverage',
  appliesToNothing: 'applies_to_nothing',
  staleReview: 'stale_review',
} as const

export type RunbookProblemCodeValue = (typeof RunbookProblemCode)[keyof typeof RunbookProblemCode]

export type ProblemSeverity = 'error' | 'warning'

export interface RunbookProblem {
  readonly severity: ProblemSeverity
  readonly code: RunbookProblemCodeValue
  readonly file: string
  /** 1-based; 0 for a file or directory as a whole. */
  readonly line: number
  /** front_matter.applies_to.rules[0], sections.Mitigation, steps.top_errors.timeout ... */
  readonly field: string
  readonly message: string
}

export const problem = (
  severity: ProblemSeverity,
  code: RunbookProblemCodeValue,
  file: string,
  line: number,
  field: string,
  message: string,
): RunbookProblem => ({ severity, code, file, line, field, message })

/** `FILE:LINE: FIELD: message`, warnings marked, as compilers print so editors link it. */
export function formatRunbookProblem(p: RunbookProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file
  return `${where}: ${p.field}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`
}

export const isRunbookError = (p: RunbookProblem): boolean => p.severity === 'error'

/** Problems in file order, then by line, so the output reads top to bottom. */
export function sortRunbookProblems(problems: readonly RunbookProblem[]): RunbookProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.field.localeCompare(b.field))
}
