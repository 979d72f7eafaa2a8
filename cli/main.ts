// The `throughline` command line: serve, migrate, sql. Every command has --help; errors
// name the flag and the expected form. Exit codes (docs/cli.md): 0 ok, 1 failure at run
// time, 2 bad usage or configuration.
import { createRequire } from 'node:module'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { loadConfig, type ServeFlags } from './options.ts'
import { serveCommand } from './serve.ts'
import { migrateCommand } from './migrate.ts'
import { processesValidateCommand } from './processes.ts'
import { backfillCommand, type BackfillFlags } from './backfill.ts'
import { rulesValidateCommand } from './rules.ts'
import { rulesTestCommand } from './rules-test.ts'
import { runbooksValidateCommand } from './runbooks.ts'
import { registerDemoCommand } from './demo.ts'
import { SCENARIO_NAMES } from '../demo/index.ts'
import { importCommand, type ImportFlags } from './import.ts'
import { EVENT_LOG_FORMATS, THROUGHPUT_BUCKETS } from '../processes/index.ts'
import { KPI_NAMES, kpiCommand, PROCESS_KPIS, type KpiFlags, type KpiName } from './kpi.ts'
import { sqlCommand, type SqlFlags } from './sql.ts'
import { reportIncidentCommand, reportIncidentsCommand, type IncidentFlags, type IncidentsFlags } from './report.ts'

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Errors that mean the command was asked for wrongly: exit 2, as for a bad flag. */
const USAGE_ERRORS: ReadonlySet<string> = new Set([ErrorCode.config, ErrorCode.readOnlyQuery, ErrorCode.badRequest])

function portArgument(value: string): string {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.')
  return value
}

function commonOptions(command: Command): Command {
  return command
    .option('--config <file>', 'YAML or JSON config file (default: $THROUGHLINE_CONFIG or ./throughline.yaml)')
    .option('--data-dir <dir>', 'data directory for the embedded ClickHouse and the spool (default ./data)')
    .option('--clickhouse-url <url>', 'use a ClickHouse server instead of the embedded engine (env CLICKHOUSE_URL)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
}

export function buildProgram(): Command {
  const program = new Command('throughline')
    .description('Watches business processes as they cross enterprise systems.')
    .version((createRequire(import.meta.url)('../package.json') as { version: string }).version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()

  commonOptions(program.command('serve').description('run the collector (OTLP/HTTP) and the API on the embedded store or a server'))
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .addOption(new Option('--otlp-port <port>', 'OTLP/HTTP port (default 4318)').argParser(portArgument))
    .addOption(new Option('--api-port <port>', 'API port (default 8080)').argParser(portArgument))
    .option(
      '--role <roles>',
      'the parts this process runs, repeatable or comma-separated: all (default), collector, deriver, rules, api (docs/deployment.md)',
      (value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value],
    )
    .addOption(
      new Option('--demo <scenario>', 'feed the service with a simulated scenario: two days of history, then live (docs/demo.md)').choices(SCENARIO_NAMES),
    )
    .action(async (flags: ServeFlags & { demo?: string }) => serveCommand(loadConfig(flags), flags.demo))

  commonOptions(program.command('migrate').description('create or upgrade the ClickHouse tables (idempotent)')).action(async (flags: ServeFlags) =>
    migrateCommand(loadConfig(flags)),
  )

  commonOptions(program.command('sql').description('run one read-only query on the store and print the result'))
    .argument('<query>', 'a SELECT (or SHOW/DESCRIBE/EXPLAIN) statement, without a FORMAT clause')
    .option(
      '--format <format>',
      'ClickHouse output format, e.g. PrettyCompact, TSVWithNames, JSONEachRow, CSV (default PrettyCompactMonoBlock on a terminal, TSVWithNames otherwise)',
    )
    .action(async (query: string, flags: SqlFlags) => sqlCommand(loadConfig(flags), query, flags))

  commonOptions(program.command('import').description('load a historical event log (XES, CSV, OCEL 2.0) into business_events, idempotently'))
    .argument('<file>', 'the event log: .xes, .xes.gz, .csv, .jsonocel, .xmlocel or .sqlite')
    .requiredOption('--process <name>', 'the process the events belong to, e.g. lead_to_cash')
    .option('--process-version <version>', 'the process definition version to tag the events with')
    .addOption(new Option('--format <format>', 'skip format detection').choices(EVENT_LOG_FORMATS))
    .option('--case-key <type>', 'key type the case id of an XES or CSV log is filed under (default case_id)')
    .option('--time-zone <zone>', 'zone of timestamps written without an offset: IANA name or +01:00 (default UTC)')
    .option('--mapping <file>', 'CSV column mapping file (YAML or JSON; docs/import.md)')
    .option('--csv-case <column>', 'CSV column holding the case id')
    .option('--csv-activity <column>', 'CSV column holding the activity')
    .option('--csv-timestamp <column>', 'CSV column holding the (completion) time')
    .option('--csv-start-timestamp <column>', 'CSV column holding the start time (each row then gives a start and a complete event)')
    .option('--csv-lifecycle <column>', 'CSV column holding the lifecycle transition')
    .option('--csv-resource <column>', 'CSV column holding the resource')
    .option('--csv-timestamp-format <pattern>', "'auto' or a pattern such as DD.MM.YYYY HH:mm:ss")
    .addOption(new Option('--csv-delimiter <char>', 'CSV delimiter').choices([',', ';', '\t', 'auto']))
    .action(async (file: string, flags: ImportFlags & ServeFlags) => importCommand(loadConfig(flags), file, flags))

  const kpi = program.command('kpi').description('print a KPI as the API answers it')
  const kpiDescriptions: Readonly<Record<KpiName, string>> = {
    summary: 'instances, events, start/end activities and duration quantiles of a process',
    map: 'the process map: directly-follows edges with counts and gaps (K10)',
    'cycle-time': 'end-to-end cycle time: completion cohort and Kaplan-Meier start cohort (K1)',
    stuck: 'stuck instances with their keys and the value at risk (K4)',
    sla: 'SLA attainment over the deadline cohort, at risk and breached (K5)',
    stages: 'stage durations A -> B along the flow, skipped and in flight (K2)',
    throughput: 'arrivals, completions, cancelled, failed and WIP per hour, day or week (K3)',
    rework: 'rework rate over the completed instances, per repeated milestone or rework activity (K8)',
    conformance: 'conformance rate, deviations, and the non-conforming instances (K9)',
    'sync-lag': 'data-sync lag per source system, target system and entity type (K7)',
    'pending-syncs': 'source changes never applied at their target (K7)',
    integrations: 'integration calls, error classes, latency, retries and operation failures',
    freshness: 'the last event seen from each system',
  }
  for (const name of KPI_NAMES) {
    commonOptions(kpi.command(name).description(kpiDescriptions[name]))
      .option('--process <name>', `the process, e.g. lead_to_cash${PROCESS_KPIS.has(name) ? ' (required)' : ''}`)
      .option('--root-key <type>', "key type that identifies an instance (summary, map; default: the definition's, else case_id)")
      .option('--from <time>', 'window start, RFC 3339, inclusive')
      .option('--to <time>', 'window end, RFC 3339, exclusive')
      .option('--as-of <time>', 'the instant "now" means for ages and open instances (default: now)')
      .addOption(new Option('--clock <clock>', 'durations on the wall clock or the business calendar').choices(['wall', 'business']))
      .option('--sla <name>', 'one SLA by name')
      .addOption(new Option('--bucket <size>', 'throughput bucket in the calendar timezone (default day)').choices(THROUGHPUT_BUCKETS))
      .option('--limit <n>', 'instances listed')
      .option('--source-system <name>', 'only this source system')
      .option('--target-system <name>', 'only this target system')
      .option('--entity-type <name>', 'only this entity type (sync lag)')
      .option('--process-version <version>', 'only instances whose latest event carries this definition version')
      .option('--tenant <id>', 'only instances of this tenant (their latest tenant.id)')
      .option(
        '--attr <name=value>',
        "only instances whose attribute's latest value is this; repeatable",
        (value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value],
      )
      .option('--json', 'print the API answer as JSON')
      .action(async (flags: KpiFlags & ServeFlags) => kpiCommand(loadConfig(flags), name, flags))
  }

  const processes = program.command('processes').description('process definitions: validate, backfill')
  processes
    .command('validate')
    .description('check every process definition (*.yaml) in a directory; exit 1 on any error')
    .argument('[dir]', 'directory of definitions', 'processes.d')
    .action(async (dir: string) => {
      process.exitCode = await processesValidateCommand(dir)
    })
  commonOptions(
    processes.command('backfill').description('derive business events again from the stored spans and logs of a time range, with the current definition'),
  )
    .requiredOption('--process <name>', 'the process, e.g. lead_to_cash')
    .requiredOption('--from <time>', 'range start (span/log time), RFC 3339, inclusive')
    .requiredOption('--to <time>', 'range end, RFC 3339, exclusive')
    .action(async (flags: BackfillFlags & ServeFlags) => backfillCommand(loadConfig(flags), flags))

  registerDemoCommand(program)

  const rules = program.command('rules').description('alert rules: validate, test')
  commonOptions(
    rules
      .command('validate')
      .description('check every alert rule file (*.yaml) in a directory against the schema and the process definitions; exit 1 on any error'),
  )
    .argument('[dir]', 'directory of alert rules', 'alert-rules')
    .action(async (dir: string, flags: ServeFlags) => {
      process.exitCode = await rulesValidateCommand(loadConfig(flags), dir)
    })
  rules
    .command('test')
    .description('run alert rule unit tests (docs/rule-tests.md) on a throwaway embedded store; exit 1 on a failed assertion, 2 on a malformed test file')
    .argument('<files...>', 'rule test files, e.g. alert-rules/tests/*.yaml')
    .option('--config <file>', 'YAML or JSON config file, for processesDir (default: $THROUGHLINE_CONFIG or ./throughline.yaml)')
    .action(async (files: string[], flags: ServeFlags) => {
      process.exitCode = await rulesTestCommand(loadConfig(flags), files)
    })

  const runbooks = program.command('runbooks').description('runbooks: validate')
  commonOptions(
    runbooks
      .command('validate')
      .description('check the runbooks: one for every alert rule, parameters among its labels, every diagnostic passes EXPLAIN; exit 1 on any error'),
  )
    .argument('[dir]', 'directory of runbooks', 'runbooks')
    .action(async (dir: string, flags: ServeFlags) => {
      process.exitCode = await runbooksValidateCommand(loadConfig(flags), dir)
    })

  const report = program.command('report').description('incident review reports: one alert episode, or the incidents of a period')
  commonOptions(
    report.command('incident').description('the incident review report of one alert episode (timeline, durations, impact, diagnostics, what to review)'),
  )
    .requiredOption('--fingerprint <fingerprint>', "the alert's fingerprint (16 hex digits)")
    .requiredOption('--start <time>', "the episode's start (its impact start): RFC 3339 or epoch milliseconds")
    .addOption(new Option('--format <format>', 'output format (default md)').choices(['md', 'html', 'json']))
    .option('--out <file>', 'write the report to a file instead of printing it')
    .action(async (flags: IncidentFlags & ServeFlags) => reportIncidentCommand(loadConfig(flags), flags))
  commonOptions(report.command('incidents').description('every alert episode that fired in a period, with counts, MTTA and MTTR per rule and process'))
    .option('--from <time>', 'period start, inclusive (default: 7 days before --to)')
    .option('--to <time>', 'period end, exclusive (default: now)')
    .addOption(new Option('--format <format>', 'output format (default md)').choices(['md', 'html', 'json']))
    .option('--out <file>', 'write the report to a file instead of printing it')
    .action(async (flags: IncidentsFlags & ServeFlags) => reportIncidentsCommand(loadConfig(flags), flags))

  for (const command of [...program.commands, ...processes.commands, ...kpi.commands, ...rules.commands, ...runbooks.commands, ...report.commands])
    command.exitOverride()
  return program
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE
      return
    }
    if (error instanceof ThroughlineError) {
      console.error(`throughline: ${error.message}`)
      process.exitCode = USAGE_ERRORS.has(error.code) ? EXIT_USAGE : EXIT_FAILURE
      return
    }
    console.error(`throughline: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = EXIT_FAILURE
  }
}

if (import.meta.main) await main(process.argv.slice(2))
