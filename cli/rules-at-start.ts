// Alert rules when `serve` starts: every *.yaml of rulesDir, all valid or the start fails (a
// rule silently missing would be an alert that never comes). No directory means no rules.
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { formatProblem, type ProcessDefinition } from '../processes/index.ts'
import { loadRules, type Rule } from '../rules/index.ts'

export async function loadRulesAtStart(config: Readonly<Config>, definitions: readonly ProcessDefinition[]): Promise<readonly Rule[]> {
  const load = await loadRules(config.rulesDir, definitions)
  if (!load.ok) throw new ConfigError(`alert rules in ${config.rulesDir} are invalid:\n${load.problems.map(formatProblem).join('\n')}`)
  return load.rules
}
