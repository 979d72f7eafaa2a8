// The `throughline` command as a user meets it: help on every command, errors that name the
// flag or setting and the expected form, documented exit codes, migrate and read-only sql.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { runThroughline } from '../support/serve-process.ts'
import { sharedDataPath } from '../support/shared-data.ts'
import { tempDir } from '../support/temp-dir.ts'

const dir = tempDir('cli')
afterAll(() => dir.remove())

describe('throughline --help', () => {
  it.each(['serve', 'migrate', 'sql'])('describes the %s command and its options', async (command) => {
    const result = await runThroughline([command, '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Usage: throughline ${command}`)
    expect(result.stdout).toContain('--data-dir <dir>')
    expect(result.stdout).toContain('--clickhouse-url <url>')
  })

  it('lists the commands', async () => {
    const result = await runThroughline(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/serve \[options\][\s\S]*migrate \[options\][\s\S]*sql \[options\] <query>/)
  })
})

describe('bad usage', () => {
  it('names the flag and the expected form of a bad port, and exits 2', async () => {
    const result = await runThroughline(['serve', '--otlp-port', 'abc'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("option '--otlp-port <port>' argument 'abc' is invalid. expected a port number from 0 to 65535.")
  })

  it('refuses an unknown flag with exit 2', async () => {
    const result = await runThroughline(['migrate', '--datadir', 'x'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown option '--datadir'")
  })

  it('names the environment variable behind an invalid setting', async () => {
    const result = await runThroughline(['migrate', '--data-dir', join(dir.path, 'unused')], { THROUGHLINE_API_PORT: '70000' })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('throughline: invalid configuration: apiPort: must be <= 65535 (config file key apiPort, or THROUGHLINE_API_PORT)\n')
  })

  it('names an unknown key in the config file', async () => {
    const file = join(dir.path, 'bad.yaml')
    writeFileSync(file, 'spool:\n  maxbytes: 10\n')
    const result = await runThroughline(['migrate', '--config', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('spool: must not have additional properties {"additionalProperties":["maxbytes"]}')
  })

  it('says when the config file cannot be read', async () => {
    const result = await runThroughline(['migrate', '--config', join(dir.path, 'missing.yaml')])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^throughline: cannot read config file .*missing\.yaml: ENOENT/)
  })
})

describe('migrate and sql on the embedded store', () => {
  const dataDir = join(dir.path, 'data')

  it('creates the tables once and says so', async () => {
    const first = await runThroughline(['migrate', '--data-dir', dataDir])
    expect(first.code).toBe(0)
    expect(first.stdout).toBe('applied migrations 1, 2, 3, 4, 5, 6 (0 applied earlier)\n')
    const second = await runThroughline(['migrate', '--data-dir', dataDir])
    expect(second.stdout).toBe('schema is up to date (6 migrations applied earlier)\n')
  })

  it('prints a query in the requested format', async () => {
    const result = await runThroughline([
      'sql',
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'otel%' ORDER BY name",
      '--data-dir',
      dataDir,
      '--format',
      'JSONEachRow',
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('{"name":"otel_logs"}\n{"name":"otel_traces"}\n{"name":"otel_traces_trace_id_ts"}\n{"name":"otel_traces_trace_id_ts_mv"}\n')
  })

  it('refuses a statement that writes, leaving the data as it was', async () => {
    const result = await runThroughline(['sql', 'DROP TABLE otel_traces', '--data-dir', dataDir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^throughline: sql runs read-only statements only \(SELECT, SHOW, DESCRIBE, EXPLAIN\); ClickHouse said: .*readonly/i)
    const check = await runThroughline(['sql', "SELECT count() FROM system.tables WHERE name = 'otel_traces'", '--data-dir', dataDir, '--format', 'TSV'])
    expect(check.stdout).toBe('1\n')
  })

  it('refuses a format name that is not one', async () => {
    const result = await runThroughline(['sql', 'SELECT 1', '--data-dir', dataDir, '--format', 'TSV; DROP TABLE x'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--format must be a ClickHouse format name')
  })

  it('refuses a format ClickHouse does not know as bad usage, naming --format', async () => {
    const result = await runThroughline(['sql', 'SELECT 1', '--data-dir', dataDir, '--format', 'Bogus'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'throughline: --format: ClickHouse has no format named "Bogus"; use an output format such as TSVWithNames, JSONEachRow, PrettyCompact or CSV (SELECT name FROM system.formats WHERE is_output lists them all)\n',
    )
  })

  it('refuses an input-only format as bad usage', async () => {
    const result = await runThroughline(['sql', 'SELECT 1', '--data-dir', dataDir, '--format', 'RowBinaryWithDefaults'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'throughline: --format: ClickHouse reads "RowBinaryWithDefaults" but cannot write it; use an output format such as TSVWithNames, JSONEachRow, PrettyCompact or CSV (SELECT name FROM system.formats WHERE is_output lists them all)\n',
    )
  })

  it.each(['SELECT 1 FORMAT JSON', 'select 1 format JSONEachRow;', 'SELECT 1 FORMAT CSV SETTINGS max_threads = 1'])(
    'refuses a statement with its own FORMAT clause: %s',
    async (query) => {
      const result = await runThroughline(['sql', query, '--data-dir', dataDir])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('throughline: give the output format with --format, not in the query\n')
    },
  )

  it('runs a statement that orders by a column named format', async () => {
    const result = await runThroughline(['sql', 'SELECT number AS format FROM numbers(3) ORDER BY format DESC', '--data-dir', dataDir, '--format', 'TSV'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('2\n1\n0\n')
  })
})

describe('sql on a data directory without a store', () => {
  it('refuses an empty directory and creates nothing in it', async () => {
    const empty = join(dir.path, 'empty')
    mkdirSync(empty)
    const result = await runThroughline(['sql', 'SELECT count() FROM otel_traces', '--data-dir', empty])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`throughline: no throughline data in ${empty} (run \`throughline serve\` or \`throughline migrate\` there first)\n`)
    expect(result.stdout).toBe('')
    expect(readdirSync(empty)).toEqual([])
  })

  it('refuses a directory that does not exist, by its absolute path, and does not create it', async () => {
    // Run from dir.path with a relative --data-dir; the message gives the absolute path.
    const missing = join(realpathSync(dir.path), 'missing')
    const bin = new URL('../../bin/throughline.js', import.meta.url).pathname
    const result = await promisify(execFile)(process.execPath, [bin, 'sql', 'SELECT 1', '--data-dir', 'missing'], { cwd: dir.path }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`throughline: no throughline data in ${missing} (run \`throughline serve\` or \`throughline migrate\` there first)\n`)
    expect(existsSync(missing)).toBe(false)
  })
})

describe('throughline rules validate', () => {
  it('accepts the shipped rules, and names file, line and field of a bad one with exit 1', async () => {
    const ok = await runThroughline(['rules', 'validate'])
    expect(ok.code).toBe(0)
    // lead-to-cash 7 (with the anomaly rule), bank-credit 7, retail-O2O 6, manufacturing 6.
    expect(ok.stdout).toBe('26 alert rules valid\n')
    const rulesDir = join(dir.path, 'bad-rules')
    mkdirSync(rulesDir, { recursive: true })
    writeFileSync(
      join(rulesDir, 'bad.yaml'),
      ['group: bad', 'rules:', '  - id: stuck_nowhere', '    kind: stuck', '    process: no_such_process', '    for: soon', ''].join('\n'),
    )
    const bad = await runThroughline(['rules', 'validate', rulesDir])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`${join(rulesDir, 'bad.yaml')}:5: rules[0].process: no process definition named "no_such_process"`)
    expect(bad.stderr).toContain(`${join(rulesDir, 'bad.yaml')}:6: rules[0].for:`)
    expect(bad.stdout).toBe('2 errors in the alert rules\n')
  })
})

describe('throughline import', () => {
  const dataDir = join(dir.path, 'imports')

  it('loads an event log into business_events, says how many events, and changes nothing the second time', async () => {
    const log = sharedDataPath('eventlogs/xes/running-example.xes')
    const first = await runThroughline(['import', log, '--process', 'running_example', '--data-dir', dataDir])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^imported 42 events from running-example\.xes into process running_example in \d+\.\d s \(1 batch; /)
    const second = await runThroughline(['import', log, '--process', 'running_example', '--data-dir', dataDir])
    expect(second.code).toBe(0)
    const count = await runThroughline(['sql', "SELECT count(), uniqExact(Keys['case_id']) FROM business_events", '--data-dir', dataDir, '--format', 'TSV'])
    expect(count.stdout).toBe('42\t6\n')
  })

  it('prints the same KPI answer as the API with kpi summary --json, and refuses a bad time naming the flag', async () => {
    const result = await runThroughline(['kpi', 'summary', '--process', 'running_example', '--data-dir', dataDir, '--json'])
    expect(result.code).toBe(0)
    const answer = JSON.parse(result.stdout) as { cases: number; events: number; durationSeconds: { max: number } }
    expect([answer.cases, answer.events, answer.durationSeconds.max]).toEqual([6, 42, 1_576_440])
    const bad = await runThroughline(['kpi', 'map', '--process', 'running_example', '--from', 'yesterday', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('throughline: from: must be an RFC 3339 time such as 2026-11-29T00:00:00Z, got "yesterday"\n')
  })

  it('prints stuck instances and SLA attainment as the API does, and needs --process for them', async () => {
    const stuck = await runThroughline(['kpi', 'stuck', '--process', 'lead_to_cash', '--data-dir', dataDir, '--json', '--as-of', '2026-11-01T00:00:00Z'])
    expect(stuck.code).toBe(0)
    expect(JSON.parse(stuck.stdout)).toMatchObject({ process: 'lead_to_cash', stuck: 0, window: { asOf: '2026-11-01T00:00:00.000Z' } })
    const missing = await runThroughline(['kpi', 'sla', '--data-dir', dataDir])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('throughline: --process: required for kpi sla\n')
  })

  it('backfills a process over a time range, and refuses an unknown process naming the flag', async () => {
    const ok = await runThroughline([
      'processes',
      'backfill',
      '--process',
      'lead_to_cash',
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-11-01T03:00:00Z',
      '--data-dir',
      dataDir,
    ])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^derived 0 business events of lead_to_cash version 1 from 0 rows in \d+\.\d s\n$/)
    expect(ok.stderr.trim().split('\n')).toHaveLength(3)
    const bad = await runThroughline([
      'processes',
      'backfill',
      '--process',
      'nope',
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-11-02T00:00:00Z',
      '--data-dir',
      dataDir,
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /^throughline: --process: no definition named "nope" in processes\.d; there are: bank_credit, lead_to_cash, make_to_order, order_to_cash_sample, retail_o2o/,
    )
  })

  it('needs --process and names it', async () => {
    const result = await runThroughline(['import', sharedDataPath('eventlogs/xes/running-example.xes'), '--data-dir', dataDir])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("required option '--process <name>' not specified")
  })

  it('refuses a process name that is not one, naming the flag, with exit 2', async () => {
    const result = await runThroughline(['import', sharedDataPath('eventlogs/xes/running-example.xes'), '--process', 'Bad Name', '--data-dir', dataDir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^throughline: --process: 'Bad Name' is not a process name/)
  })
})
