// Process definitions when a command starts: every *.yaml in processesDir, all valid or none
// (a process silently missing would skew every KPI). No directory means no definitions yet.
import { existsSync } from 'node:fs'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { formatProblem, loadProcessDefinitions, type ProcessDefinition } from '../processes/index.ts'

export async function loadDefinitionsAtStart(config: Readonly<Config>): Promise<readonly ProcessDefinition[]> {
  if (!existsSync(config.processesDir)) return []
  const load = await loadProcessDefinitions(config.processesDir)
  if (!load.ok) {
    throw new ConfigError(`process definitions in ${config.processesDir} are invalid:\n${load.problems.map(formatProblem).join('\n')}`)
  }
  return load.definitions
}
