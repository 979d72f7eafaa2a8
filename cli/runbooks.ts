// `throughline runbooks validate [DIR]`: every alert rule has a runbook, every diagnostic's
// parameters are labels its rules produce (or the built-in window parameters), every
// diagnostic passes EXPLAIN against the schema (on a scratch embedded store, migrated).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig, type Config } from '../core/config.ts'
import { loadRules, ruleLabelNames, SOURCE_LATE_FOR_RUNBOOKS, type Rule } from '../rules/index.ts'
import { createStoreClient, migrate } from '../store/index.ts'
import { formatRunbookProblem, isRunbookError, loadRunbooks, validateRunbooks, type RuleForRunbooks } from '../triage/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'
import { formatProblem } from '../processes/index.ts'

export const runbookRuleOf = (rule: Rule): RuleForRunbooks => ({
  id: rule.id,
  labels: ruleLabelNames(rule),
  runbook: rule.runbook,
  file: rule.source.file,
  line: rule.source.line,
})

export async function runbooksValidateCommand(config: Readonly<Config>, dir: string): Promise<number> {
  const rulesLoad = await loadRules(config.rulesDir, await loadDefinitionsAtStart(config))
  if (!rulesLoad.ok) {
    for (const problem of rulesLoad.problems) console.error(formatProblem(problem))
    console.log('the alert rules are invalid: fix them first (throughline rules validate)')
    return 1
  }
  const load = await loadRunbooks(dir)
  const scratch = mkdtempSync(join(tmpdir(), 'throughline-runbooks-'))
  const scratchConfig = resolveConfig({ dataDir: scratch, logLevel: 'silent' })
  const store = createStoreClient(scratchConfig)
  try {
    await migrate(store, scratchConfig)
    const problems = load.ok
      ? [...load.warnings, ...(await validateRunbooks(store, load.runbooks, [...rulesLoad.rules.map(runbookRuleOf), SOURCE_LATE_FOR_RUNBOOKS]))]
      : [...load.problems]
    for (const problem of problems) console.error(formatRunbookProblem(problem))
    const errors = problems.filter(isRunbookError).length
    const count = load.ok ? load.runbooks.length : 0
    console.log(
      errors === 0
        ? `${count} runbook${count === 1 ? '' : 's'} valid for ${rulesLoad.rules.length} alert rules`
        : `${errors} error${errors === 1 ? '' : 's'} in the runbooks`,
    )
    return errors === 0 ? 0 : 1
  } finally {
    await store.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}
