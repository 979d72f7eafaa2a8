// Automatic diagnostics on chDB against the real, migrated tables: the alert's labels and
// window bound as parameters (a quote in a label stays a value), row limits, timeouts, the
// read-only guard, and the results recorded in alert_diagnostics.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertJsonEachRow, queryRows, spanRowJson, type SpanRow } from '../../store/index.ts'
import { runDiagnostics, type AlertContext } from '../../triage/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { runbookText, validRunbook } from './runbook-text.ts'

let env: MigratedStore
const MS = 1_000_000n
// Recent times, so the tables' retention TTL keeps the rows.
const windowEndMs = Math.floor(Date.now() / 60_000) * 60_000
const windowStartMs = windowEndMs - 3_600_000
const INJECTION = "ERP' OR '1'='1"

function span(id: number, minutesIntoWindow: number, target: string, status: 'Ok' | 'Error', message = ''): SpanRow {
  return {
    timestampNs: BigInt(windowStartMs + minutesIntoWindow * 60_000) * MS,
    traceId: id.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: '',
    traceState: '',
    spanName: 'POST /orders',
    spanKind: 'Client',
    serviceName: 'crm-erp-connector',
    resourceAttributes: {},
    scopeName: 'test',
    scopeVersion: '1',
    spanAttributes: { 'integration.source.system': 'CRM', 'integration.target.system': target, 'integration.operation.id': `op-${id}` },
    durationNs: 20n * MS,
    statusCode: status,
    statusMessage: message,
    events: [],
    links: [],
  }
}

const alert: AlertContext = {
  ruleId: 'example_sync_lag_high',
  fingerprint: 'fp-sync',
  episodeId: 'fp-sync@1',
  labels: { source_system: 'CRM', target_system: 'ERP' },
  windowStart: new Date(windowStartMs).toISOString(),
  windowEnd: new Date(windowEndMs).toISOString(),
  firedAt: new Date(windowEndMs).toISOString(),
}

const example = () => validRunbook(readFileSync('test/triage/fixtures/example-sync-lag.md', 'utf8'), 'test/triage/fixtures/example-sync-lag.md')
const diagnostic = (name: string, sql: string, attributes = '') =>
  [`\`\`\`sql {name=${name} kind=diagnostic auto=true ${attributes}}`, sql, '```', ''].join('\n')
const count = async (sql: string): Promise<number> => Number((await queryRows<{ n: string }>(env.store, sql, {}, { tag: 'test.count' }))[0]?.n)

beforeAll(async () => {
  env = await openMigratedStore('triage-diagnostics')
  const spans = [
    span(1, 5, 'ERP', 'Error', 'ERP timed out'),
    span(2, 10, 'ERP', 'Error', 'ERP timed out'),
    span(3, 15, 'ERP', 'Error', 'ERP timed out'),
    span(4, 20, 'ERP', 'Error', 'record locked'),
    span(5, 25, 'ERP', 'Ok'),
    span(6, 30, 'WMS', 'Error', 'WMS down'), // another target
    span(7, -10, 'ERP', 'Error', 'before the window'),
    span(8, 35, INJECTION, 'Error', 'a target really named like that'),
  ]
  // Each row of spanRowJson ends in its own newline.
  await insertJsonEachRow(env.store, 'otel_traces', spans.map(spanRowJson).join(''))
})
afterAll(async () => env.close())

describe('runDiagnostics', () => {
  it("runs the example's automatic diagnostics with the alert's labels and window bound", async () => {
    const findings = await runDiagnostics(env.store, example(), alert, 'fired')
    expect(findings.map(({ durationMs: _, ...rest }) => rest)).toEqual([
      {
        step: 'failing_operations',
        title: 'Failing operations towards the target',
        rows: [
          { operation: 'POST /orders', message: 'ERP timed out', failures: '3' },
          { operation: 'POST /orders', message: 'record locked', failures: '1' },
        ],
        truncated: false,
      },
      { step: 'retried_operations', title: 'Retried operations', rows: [], truncated: false },
    ])
  })

  it('binds a label holding a quote as a value: it cannot widen the query', async () => {
    const injected = { ...alert, labels: { source_system: 'CRM', target_system: INJECTION } }
    const [failing] = await runDiagnostics(env.store, example(), injected, 'fired')
    // Spliced into the text, the OR would match every error span; bound, it matches the one
    // span whose target is literally that string.
    expect(failing!.error).toBeUndefined()
    expect(failing!.rows).toEqual([{ operation: 'POST /orders', message: 'a target really named like that', failures: '1' }])
    const dropping = { ...alert, labels: { source_system: 'CRM', target_system: "x'; DROP TABLE otel_traces; --" } }
    const [none] = await runDiagnostics(env.store, example(), dropping, 'fired')
    expect(none).toMatchObject({ rows: [], truncated: false })
    expect(none!.error).toBeUndefined()
    expect(await count('SELECT count() AS n FROM otel_traces')).toBe(8)
  })

  it('keeps at most max_rows rows and says more existed', async () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          diagnostic('hundred', 'SELECT number FROM numbers(100) ORDER BY number', 'max_rows=3'),
          diagnostic('exactly', 'SELECT number FROM numbers(3)', 'max_rows=3'),
          diagnostic('union', 'SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3', 'max_rows=2'),
        ].join('\n'),
      }),
    )
    const findings = await runDiagnostics(env.store, runbook, alert, 'fired')
    expect(findings.map((f) => [f.step, f.rows.length, f.truncated])).toEqual([
      ['hundred', 3, true],
      ['exactly', 3, false],
      ['union', 2, true],
    ])
    expect(findings[0]!.rows).toEqual([{ number: '0' }, { number: '1' }, { number: '2' }])
  })

  it('stops a step at its timeout with an error finding, and the next step still runs', async () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          diagnostic('slow', 'SELECT sleepEachRow(0.5) FROM numbers(10) SETTINGS max_block_size = 1', 'timeout=1s'),
          diagnostic('quick', 'SELECT 1 AS one'),
        ].join('\n'),
      }),
    )
    const [slow, quick] = await runDiagnostics(env.store, runbook, alert, 'fired')
    expect(slow).toMatchObject({ step: 'slow', rows: [], truncated: false, error: expect.stringMatching(/^TIMEOUT_EXCEEDED: Timeout exceeded/) })
    expect(slow!.durationMs).toBeGreaterThanOrEqual(900)
    expect(slow!.durationMs).toBeLessThan(3000)
    expect(quick).toMatchObject({ step: 'quick', rows: [{ one: 1 }] })
  })

  it('refuses writes: a diagnostic runs read-only', async () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          diagnostic('insert', "INSERT INTO alert_actions (Action, Actor) SELECT 'ack', 'mallory'"),
          diagnostic('delete', 'ALTER TABLE otel_traces DELETE WHERE 1'),
          diagnostic('truncate', 'TRUNCATE TABLE otel_traces'),
        ].join('\n'),
      }),
    )
    const findings = await runDiagnostics(env.store, runbook, alert, 'fired')
    expect(findings.map((f) => f.error)).toEqual([
      expect.stringMatching(/^READONLY: .*readonly mode/),
      expect.stringMatching(/^READONLY: .*readonly mode/),
      expect.stringMatching(/^READONLY: .*readonly mode/),
    ])
    expect(await count("SELECT count() AS n FROM alert_actions WHERE Actor = 'mallory'")).toBe(0)
    expect(await count('SELECT count() AS n FROM otel_traces')).toBe(8)
  })

  it('runs automatic steps on fired and resolved, any on manual; a missing label or failing SQL is a finding', async () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          diagnostic('auto_one', 'SELECT {target_system:String} AS target'),
          '```sql {name=by_hand kind=diagnostic}\nSELECT {fired_at:DateTime64(3)} AS fired\n```\n',
          diagnostic('needs_label', 'SELECT {tenant:String} AS tenant'),
          diagnostic('broken', 'SELECT no_such_column FROM otel_traces'),
        ].join('\n'),
      }),
    )
    const resolved = await runDiagnostics(env.store, runbook, alert, 'resolved')
    expect(resolved.map((f) => [f.step, f.error ?? f.rows])).toEqual([
      ['auto_one', [{ target: 'ERP' }]],
      ['needs_label', "the alert has no label 'tenant' (the step binds {tenant:String})"],
      ['broken', expect.stringMatching(/^UNKNOWN_IDENTIFIER: .*no_such_column/)],
    ])
    const manual = await runDiagnostics(env.store, runbook, alert, 'manual', { steps: ['by_hand', 'nope'] })
    const fired = new Date(windowEndMs).toISOString().replace('T', ' ').replace('Z', '')
    expect(manual.map((f) => [f.step, f.error ?? f.rows])).toEqual([
      ['by_hand', [{ fired }]],
      ['nope', "runbook 'test-runbook' has no diagnostic step named 'nope'"],
    ])
  })

  it('records every finding in alert_diagnostics, attached to the episode', async () => {
    const episode = { ...alert, episodeId: 'fp-sync@recorded' }
    const at = Date.UTC(2026, 5, 1, 12, 0, 0, 250)
    await runDiagnostics(env.store, example(), episode, 'fired', { now: () => at })
    await runDiagnostics(env.store, example(), { ...episode, labels: {} }, 'resolved', { now: () => at + 60_000 })
    const rows = await queryRows<Record<string, unknown>>(
      env.store,
      `SELECT toUnixTimestamp64Milli(At) AS at, Fingerprint, Runbook, Step, Phase, Rows, Truncated, Error
       FROM alert_diagnostics WHERE EpisodeId = {episode:String} ORDER BY At, Step`,
      { episode: 'fp-sync@recorded' },
      { tag: 'test.read-diagnostics' },
    )
    const label = "the alert has no label 'source_system' (the step binds {source_system:String})"
    const noTarget = "the alert has no label 'target_system' (the step binds {target_system:String})"
    expect(rows).toEqual([
      {
        at: String(at),
        Fingerprint: 'fp-sync',
        Runbook: 'example-sync-lag',
        Step: 'failing_operations',
        Phase: 'fired',
        Rows: JSON.stringify([
          { operation: 'POST /orders', message: 'ERP timed out', failures: '3' },
          { operation: 'POST /orders', message: 'record locked', failures: '1' },
        ]),
        Truncated: false,
        Error: '',
      },
      {
        at: String(at),
        Fingerprint: 'fp-sync',
        Runbook: 'example-sync-lag',
        Step: 'retried_operations',
        Phase: 'fired',
        Rows: '[]',
        Truncated: false,
        Error: '',
      },
      {
        at: String(at + 60_000),
        Fingerprint: 'fp-sync',
        Runbook: 'example-sync-lag',
        Step: 'failing_operations',
        Phase: 'resolved',
        Rows: '[]',
        Truncated: false,
        Error: label,
      },
      {
        at: String(at + 60_000),
        Fingerprint: 'fp-sync',
        Runbook: 'example-sync-lag',
        Step: 'retried_operations',
        Phase: 'resolved',
        Rows: '[]',
        Truncated: false,
        Error: noTarget,
      },
    ])
  })
})
