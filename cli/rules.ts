// `throughline rules validate [DIR]`: checks every alert rule file against the schema and the
// process definitions, as CI does. Problems as FILE:LINE: FIELD: message on stderr, a summary
// on stdout, exit 1 on any error.
import type { Config } from '../core/config.ts'
import { formatProblem, isError } from '../processes/index.ts'
import { loadRules } from '../rules/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'

export async function rulesValidateCommand(config: Readonly<Config>, dir: string): Promise<number> {
  const load = await loadRules(dir, await loadDefinitionsAtStart(config))
  const problems = load.ok ? load.warnings : load.problems
  for (const problem of problems) console.error(formatProblem(problem))
  const errors = problems.filter(isError).length
  console.log(
    load.ok ? `${load.rules.length} alert rule${load.rules.length === 1 ? '' : 's'} valid` : `${errors} error${errors === 1 ? '' : 's'} in the alert rules`,
  )
  return load.ok ? 0 : 1
}
