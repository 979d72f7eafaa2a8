// `throughline processes validate [DIR]`: checks every process definition as CI does. Each
// problem goes to stderr as FILE:LINE: FIELD: message (editors and CI annotations link it),
// one summary line to stdout; the exit code is 1 when any error was found.
import { formatProblem, isError, loadProcessDefinitions, type DefinitionProblem } from '../processes/index.ts'

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

function summary(errors: readonly DefinitionProblem[], warnings: number, valid: number): string {
  const warned = warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''
  if (errors.length === 0) return `${plural(valid, 'process definition')} valid${warned}`
  const files = new Set(errors.map((problem) => problem.file)).size
  return `${plural(errors.length, 'error')} in ${plural(files, 'file')}${warned}`
}

export async function processesValidateCommand(dir: string): Promise<number> {
  const load = await loadProcessDefinitions(dir)
  const problems = load.ok ? load.warnings : load.problems
  for (const problem of problems) console.error(formatProblem(problem))
  const errors = problems.filter(isError)
  console.log(summary(errors, problems.length - errors.length, load.ok ? load.definitions.length : 0))
  return load.ok ? 0 : 1
}
