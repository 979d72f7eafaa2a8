import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '/work/main/core/config.ts'
import { createStoreClient, migrate } from '/work/main/store/index.ts'
import { loadProcessDefinitions } from '/work/main/processes/index.ts'
import { loadRules, evaluateRule } from '/work/main/rules/index.ts'
const dataDir = mkdtempSync(join(tmpdir(), 'h3-probe-'))
const config = resolveConfig({ dataDir } as never)
const store = createStoreClient(config)
await migrate(store, config)
const load = await loadProcessDefinitions('processes.d')
if (!load.ok) throw new Error('defs')
const definitions = new Map(load.definitions.map((d) => [String(d.name), d]))
const rules = await loadRules('alert-rules', load.definitions)
if (!rules.ok) throw new Error('rules')
import { createRulesEngine } from "/work/main/rules/index.ts"
import { pino } from "pino"
const engine = await createRulesEngine({ store, rules: rules.rules, definitions: load.definitions, logger: pino({level:"debug"}), links: { api: "http://x", runbooks: "http://x/r" } })
console.log("created")
console.log(await engine.evaluate(Date.now(), { all: true }))
console.log(await engine.evaluate(Date.now(), { all: true }))
for (const rule of []) {
  const t = performance.now()
  const r = await Promise.race([evaluateRule({ store, definitions, atMs: Date.now(), wasFiring: () => false }, rule), new Promise((res) => setTimeout(() => res('TIMEOUT'), 20000))])
  console.log(rule.id, rule.kind, Math.round(performance.now() - t), JSON.stringify(r).slice(0, 150))
}
process.exit(0)
