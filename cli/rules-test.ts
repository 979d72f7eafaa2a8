// `throughline rules test FILE...`: runs alert rule unit tests (docs/rule-tests.md) on a
// throwaway embedded store, promtool-style: `Unit Testing: FILE` then SUCCESS or the failed
// assertions on stdout, problems of malformed files as FILE:LINE: FIELD: message on stderr.
// Exit 0 when every test passes, 1 when an assertion fails, 2 when a test file is malformed.
import type { Config } from '../core/config.ts'
import { formatRuleTestReport, runRuleTests } from '../rules/index.ts'

export async function rulesTestCommand(config: Readonly<Pick<Config, 'processesDir'>>, files: readonly string[]): Promise<number> {
  const report = await runRuleTests(files, { processesDir: config.processesDir })
  const { stdout, stderr } = formatRuleTestReport(report)
  for (const line of stderr) console.error(line)
  for (const line of stdout) console.log(line)
  return report.malformed ? 2 : report.ok ? 0 : 1
}
