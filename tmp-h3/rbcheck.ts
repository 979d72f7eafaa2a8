import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '/work/main/core/config.ts'
import { createStoreClient, migrate } from '/work/main/store/index.ts'
import { loadProcessDefinitions } from '/work/main/processes/index.ts'
import { loadRules, SOURCE_LATE_FOR_RUNBOOKS } from '/work/main/rules/index.ts'
import { runbookRuleOf } from '/work/main/cli/runbooks.ts'
import { loadRunbooks, validateRunbooks, formatRunbookProblem } from '/work/main/triage/index.ts'
const dataDir = mkdtempSync(join(tmpdir(), 'h3-rb-'))
const config = resolveConfig({ dataDir, logLevel: 'silent' } as never)
const store = createStoreClient(config)
await migrate(store, config)
const defs = await loadProcessDefinitions('processes.d')
if (!defs.ok) throw new Error('defs')
const rules = await loadRules('alert-rules', defs.definitions)
if (!rules.ok) throw new Error('rules')
const load = await loadRunbooks('tmp-h3/rb')
if (!load.ok) { console.log(load.problems); process.exit(1) }
const problems = await validateRunbooks(store, load.runbooks, [...rules.rules.map(runbookRuleOf), SOURCE_LATE_FOR_RUNBOOKS])
for (const p of problems) if (!p.file.includes('bank') && !p.message.includes('bc-')) console.log(formatRunbookProblem(p))
process.exit(0)
