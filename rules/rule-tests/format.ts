// The report of a `rules test` run as promtool prints its own: per file `Unit Testing: FILE`,
// then `SUCCESS` or `FAILED:` with each failed assertion under its test case, named by the
// file line, the eval time and the alert, and what differed. Malformed files list their
// problems as FILE:LINE: FIELD: message (on stderr, as `rules validate` does).
import { formatProblem } from '../../processes/index.ts'
import type { RuleTestReport } from './runner.ts'

export interface FormattedReport {
  readonly stdout: readonly string[]
  readonly stderr: readonly string[]
}

export function formatRuleTestReport(report: RuleTestReport): FormattedReport {
  const stdout: string[] = []
  const stderr: string[] = []
  for (const [i, file] of report.files.entries()) {
    if (i > 0) stdout.push('')
    stdout.push(`Unit Testing: ${file.file}`)
    for (const warning of file.warnings) stderr.push(formatProblem(warning))
    if (file.problems.length > 0) {
      for (const problem of file.problems) stderr.push(formatProblem(problem))
      stdout.push(
        `  FAILED: the test file is malformed (${file.problems.length} problem${file.problems.length === 1 ? '' : 's'}, listed on stderr); it did not run`,
      )
      continue
    }
    const assertions = file.tests.reduce((n, t) => n + t.assertions.length, 0)
    if (file.ok) {
      stdout.push(`  SUCCESS (${file.tests.length} test${file.tests.length === 1 ? '' : 's'}, ${assertions} assertion${assertions === 1 ? '' : 's'})`)
      continue
    }
    stdout.push('  FAILED:')
    for (const test of file.tests) {
      if (test.ok) continue
      stdout.push(`    ${file.file}:${test.line}: ${test.name}`)
      for (const assertion of test.assertions) {
        if (assertion.ok) continue
        stdout.push(`      ${file.file}:${assertion.line}: ${assertion.title}:`)
        for (const message of assertion.messages) stdout.push(`        ${message}`)
      }
    }
    const failed = file.tests.filter((t) => !t.ok).length
    stdout.push(`  ${failed} of ${file.tests.length} test${file.tests.length === 1 ? '' : 's'} failed`)
  }
  return { stdout, stderr }
}
