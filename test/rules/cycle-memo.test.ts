// Rules of one cycle share their statements (rules/cycle-memo.ts): rules reading the same KPI
// over the same window get one statement's answer, and each still sees only its own rows
// (`where`, `group_by`). Spans are inserted in the exporter's column set, as the rule-test
// runner does; the statements are counted by their tag on the store's client.
import type { ClickHouseClient } from '@clickhouse/client'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCycleMemo, UNSHARED } from '../../rules/cycle-memo.ts'
import { checkRuleTexts, createRulesEngine } from '../../rules/index.ts'
import { SPAN_COLUMNS, SPAN_STRUCTURE } from '../../rules/rule-tests/load.ts'
import { command, type StoreClient } from '../../store/index.ts'
import { definitionFrom, insertEvents } from '../processes/kpis/business-events.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

describe('createCycleMemo', () => {
  it('computes each key once and shares its answer, failures included', async () => {
    const memo = createCycleMemo()
    let calls = 0
    const compute = async (): Promise<number> => ++calls
    expect(await memo.once(['a', 1, 2n], compute)).toBe(1)
    expect(await memo.once(['a', 1, 2n], compute)).toBe(1)
    expect(await memo.once(['a', 12n], compute)).toBe(2) // not the same key as ['a', 1, 2n]
    expect(await memo.once(['a', 1, undefined], compute)).toBe(3)
    let failures = 0
    const failing = async (): Promise<number> => {
      failures++
      throw new Error('store down')
    }
    await expect(memo.once(['b'], failing)).rejects.toThrow('store down')
    await expect(memo.once(['b'], failing)).rejects.toThrow('store down')
    expect(failures).toBe(1)
  })
  it('UNSHARED computes every time', async () => {
    let calls = 0
    await UNSHARED.once(['a'], async () => ++calls)
    await UNSHARED.once(['a'], async () => ++calls)
    expect(calls).toBe(2)
  })
})

const NOW = Date.parse('2026-11-30T10:00:00Z')
const MIN = 60_000

let opened: MigratedStore
const statements = new Map<string, number>()

/** The store with every query counted under its tag. */
function countingStore(store: StoreClient): StoreClient {
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown
      return (params: Parameters<ClickHouseClient['query']>[0]) => {
        const tag = String(params.clickhouse_settings?.log_comment ?? '').replace(/^throughline:/, '')
        statements.set(tag, (statements.get(tag) ?? 0) + 1)
        return target.query(params)
      }
    },
  })
  return {
    ...store,
    client,
    withIsolatedSession: (run) => store.withIsolatedSession(run),
    ensureDatabase: () => store.ensureDatabase(),
    close: () => store.close(),
  }
}

/** One call a minute for the last `n` minutes; the first `failing` of them fail. */
function calls(integration: string, source: string, target: string, n: number, failing: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const startMs = NOW - (n - i) * MIN
    return JSON.stringify({
      Timestamp: new Date(startMs).toISOString().replace('Z', '000000'),
      TraceId: `${integration}-${i}`.padEnd(32, '0'),
      SpanId: String(i).padStart(16, '0'),
      ParentSpanId: '',
      SpanName: `POST /${integration}`,
      SpanKind: 'Client',
      ServiceName: source,
      ResourceAttributes: {},
      SpanAttributes: { 'integration.name': integration, 'integration.source.system': source, 'integration.target.system': target },
      Duration: 50_000_000,
      StatusCode: i < failing ? 'Error' : 'Ok',
      IngestedAt: new Date(startMs).toISOString(),
    })
  })
}

beforeAll(async () => {
  opened = await openMigratedStore('rules_cycle_memo')
  const body = [...calls('orders-api', 'CRM', 'ERP', 4, 2), ...calls('invoices-api', 'ERP', 'FIN', 5, 0), ...calls('stock-api', 'WMS', 'ERP', 4, 1)].join('\n')
  await command(
    opened.store,
    `INSERT INTO otel_traces (${SPAN_COLUMNS}) SELECT * FROM format(JSONEachRow, {structure:String}, {body:String}) SETTINGS insert_allow_materialized_columns = 1`,
    { structure: SPAN_STRUCTURE, body },
    { tag: 'test.spans' },
  )
})
afterAll(async () => {
  await opened.close()
})

const ruleFile = (id: string, where: string, groupBy = '[]'): string => `
  - id: ${id}
    kind: threshold
    kpi: attempt_error_rate
    where: ${where}
    group_by: ${groupBy}
    window: 10m
    op: '>'
    value: 0.2`

describe('an engine cycle', () => {
  it('reads integration health once for every rule of the same window, each rule seeing only its own rows', async () => {
    const load = checkRuleTexts(
      [
        {
          file: 'alert-rules/shared.yaml',
          text: `group: shared\ninterval: 1m\nrules:${[
            ruleFile('orders_errors', '{ integration: orders-api }'),
            ruleFile('invoices_errors', '{ integration: invoices-api }'),
            ruleFile('calls_to_erp', '{ target_system: ERP }', '[target_system]'),
            ruleFile('per_integration', '{}', '[integration]'),
            ruleFile('nothing_matches', '{ integration: billing-api }'),
          ].join('')}`,
        },
      ],
      [],
    )
    if (!load.ok) throw new Error(JSON.stringify(load.problems))
    const engine = await createRulesEngine({
      store: countingStore(opened.store),
      rules: load.rules,
      definitions: [],
      logger: pino({ level: 'silent' }),
      links: { api: 'http://localhost:8080', runbooks: 'http://localhost:8080/api/v1/runbooks' },
      clock: () => NOW,
    })
    statements.clear()
    const report = await engine.evaluate(NOW, { all: true })
    expect(report.runs.map((r) => [r.ruleId, r.samples, r.error])).toEqual([
      ['orders_errors', 1, undefined],
      ['invoices_errors', 1, undefined],
      ['calls_to_erp', 1, undefined],
      ['per_integration', 3, undefined],
      ['nothing_matches', 0, undefined],
    ])
    expect(statements.get('kpi.integration-health')).toBe(1)
    // orders-api: 2 of 4 fail; invoices-api: 0 of 5; stock-api: 1 of 4; to the ERP: 3 of 8.
    const values = Object.fromEntries(
      engine
        .alerts()
        .map((a) => [`${a.record.ruleId} ${a.record.labels.integration ?? a.record.labels.target_system ?? ''}`, [a.record.phase, a.record.lastValue]]),
    )
    expect(values).toEqual({
      'orders_errors ': ['firing', 0.5],
      'invoices_errors ': ['inactive', 0],
      'calls_to_erp ERP': ['firing', 0.375],
      'per_integration orders-api': ['firing', 0.5],
      'per_integration invoices-api': ['inactive', 0],
      'per_integration stock-api': ['firing', 0.25],
    })
    // The next cycle asks again: nothing is kept from one cycle to the next.
    await engine.evaluate(NOW + MIN, { all: true })
    expect(statements.get('kpi.integration-health')).toBe(2)
  })
})

describe('heartbeat rules', () => {
  it('read the last word of every watched system in one statement per cycle', async () => {
    const load = checkRuleTexts(
      [
        {
          file: 'alert-rules/heartbeats.yaml',
          text: `group: heartbeats
interval: 1m
rules:
  - { id: crm_silent, kind: heartbeat, system: CRM, silent_for: 2m }
  - { id: wms_silent, kind: heartbeat, system: WMS, silent_for: 30s }
  - { id: erp_silent, kind: heartbeat, system: ERP, silent_for: 1h }
`,
        },
      ],
      [],
    )
    if (!load.ok) throw new Error(JSON.stringify(load.problems))
    const engine = await createRulesEngine({
      store: countingStore(opened.store),
      rules: load.rules,
      definitions: [],
      logger: pino({ level: 'silent' }),
      links: { api: 'http://localhost:8080', runbooks: 'http://localhost:8080/api/v1/runbooks' },
      clock: () => NOW,
    })
    statements.clear()
    await engine.evaluate(NOW, { all: true })
    expect(statements.get('rules.heartbeat')).toBe(1)
    // CRM and WMS sent their last calls a minute ago (stored then); the ERP is the invoices' source, also a minute ago.
    const phases = Object.fromEntries(
      engine
        .alerts()
        .filter((a) => a.record.ruleId.endsWith('_silent'))
        .map((a) => [a.record.ruleId, [a.record.phase, a.record.lastValue]]),
    )
    expect(phases).toEqual({ crm_silent: ['inactive', 60], wms_silent: ['firing', 60], erp_silent: ['inactive', 60] })
  })
})

describe('absence rules of one process', () => {
  const definition = definitionFrom(`
name: orders_absence_shared
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.approved
    system: CRM
  - name: order.shipped
    system: WMS
  - name: order.closed
    system: FIN
  - name: order.rejected
    system: ERP
start: [order.approved]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.rejected, outcome: failed }
`)

  it('are answered by one statement per cycle, each rule with its own instances', async () => {
    const T = NOW
    // S1: approved 3 h ago, never shipped nor closed. S2: approved 3 h ago, shipped 30 min
    // later, not closed. S3: approved 20 min ago. S4: approved 3 h ago and rejected (failed: it
    // expects nothing more). The WMS and the FIN speak now (not late).
    await insertEvents(opened.store, definition, [
      { milestone: 'order.approved', atMs: T - 180 * MIN, keys: { order: 'S1' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: T - 180 * MIN, keys: { order: 'S2' }, system: 'CRM' },
      { milestone: 'order.shipped', atMs: T - 150 * MIN, keys: { order: 'S2' }, system: 'WMS' },
      { milestone: 'order.approved', atMs: T - 20 * MIN, keys: { order: 'S3' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: T - 180 * MIN, keys: { order: 'S4' }, system: 'CRM' },
      { milestone: 'order.rejected', atMs: T - 175 * MIN, keys: { order: 'S4' }, system: 'ERP' },
      { milestone: 'order.shipped', atMs: T - MIN, keys: { order: 'S0' }, system: 'WMS' },
      { milestone: 'order.closed', atMs: T - MIN, keys: { order: 'S0' }, system: 'FIN' },
    ])
    const load = checkRuleTexts(
      [
        {
          file: 'alert-rules/absence.yaml',
          text: `group: absence
interval: 1m
rules:
  - { id: not_shipped_1h, kind: absence, process: orders_absence_shared, after: order.approved, expect: order.shipped, within: 1h }
  - { id: not_closed_2h, kind: absence, process: orders_absence_shared, after: order.approved, expect: order.closed, within: 2h }
  - { id: not_shipped_10m, kind: absence, process: orders_absence_shared, after: order.approved, expect: order.shipped, within: 10m }
`,
        },
      ],
      [definition],
    )
    if (!load.ok) throw new Error(JSON.stringify(load.problems))
    const engine = await createRulesEngine({
      store: countingStore(opened.store),
      rules: load.rules,
      definitions: [definition],
      logger: pino({ level: 'silent' }),
      links: { api: 'http://localhost:8080', runbooks: 'http://localhost:8080/api/v1/runbooks' },
      clock: () => NOW,
    })
    statements.clear()
    await engine.evaluate(T, { all: true })
    expect(statements.get('rules.absence')).toBe(1)
    const firing = engine
      .alerts()
      .filter((a) => a.record.phase === 'firing')
      .map((a) => `${a.record.ruleId} ${a.record.labels.instance}`)
      .sort()
    // 1 h to ship: S1 only (S2 shipped in 30 min). 2 h to close: S1 and S2. 10 min to ship: S1,
    // S2 (its shipment came 20 min after the deadline: missing then) and S3.
    expect(firing).toEqual(['not_closed_2h S1', 'not_closed_2h S2', 'not_shipped_10m S1', 'not_shipped_10m S2', 'not_shipped_10m S3', 'not_shipped_1h S1'])
  })
})
