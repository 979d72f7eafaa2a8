// The rules engine's lifecycle on chDB with hand-built business events: anomaly rules against
// the same hour of previous weeks, flap detection holding notifications, SourceLate{system}
// raised by a long late-data UNKNOWN and inhibiting the alerts reading that system, and late
// data re-evaluating past windows on their event times.
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert } from '../../notify/index.ts'
import { checkRuleTexts, createRulesEngine, listAlerts, type Rule } from '../../rules/index.ts'
import { SPAN_COLUMNS, SPAN_STRUCTURE } from '../../rules/rule-tests/load.ts'
import { command, queryRows } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { definitionFrom, insertEvents, ms, type EventSpec } from '../processes/kpis/business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('rules_lifecycle')
}, 120_000)
afterAll(async () => {
  await opened.close()
})

const MIN = 60_000
const WEEK = 7 * 86_400_000
const logger = pino({ level: 'silent' })
const links = { api: 'http://localhost:8080', runbooks: 'http://localhost:8080/api/v1/runbooks' }

const definitionNamed = (name: string) =>
  definitionFrom(`
name: ${name}
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
start: [order.approved]
terminal:
  - { milestone: order.closed, outcome: completed }
lateness_allowance:
  default: 15m
  by_system: {}
`)
const anomalyProcess = definitionNamed('orders_anomaly')
const lateProcess = definitionNamed('orders_late')
const lateBreachProcess = definitionNamed('orders_late_breach')
// The flap test's heartbeats go to a process of their own, so they do not move the others' watermarks.
const flapProcess = definitionNamed('orders_flap')
const lateAbsenceProcess = definitionNamed('orders_late_absence')
const definitions = [anomalyProcess, lateProcess, lateBreachProcess, flapProcess, lateAbsenceProcess]

function rules(yaml: string): Rule[] {
  const load = checkRuleTexts([{ file: 'alert-rules/test.yaml', text: yaml }], definitions)
  if (!load.ok) throw new Error(JSON.stringify(load.problems, null, 2))
  return [...load.rules]
}

/** `count` orders approved 10 minutes before they close at `closedMs`, 1 minute apart. */
function closures(prefix: string, count: number, closedMs: number): EventSpec[] {
  return Array.from({ length: count }, (_, i) => [
    { milestone: 'order.approved', atMs: closedMs - 10 * MIN + i * MIN, keys: { order: `${prefix}-${i}` }, system: 'CRM' },
    { milestone: 'order.closed', atMs: closedMs + i * MIN, keys: { order: `${prefix}-${i}` }, system: 'FIN' },
  ]).flat()
}

const transitionsOf = (ruleId: string) =>
  queryRows<{ FromState: string; ToState: string; Reason: string; EventTimeMs: string }>(
    opened.store,
    'SELECT FromState, ToState, Reason, EventTimeMs FROM alert_transitions WHERE RuleId = {rule:String} ORDER BY EventTimeMs, At',
    { rule: ruleId },
    { tag: 'test.transitions' },
  )

describe('anomaly rules', () => {
  // Thu 2026-11-12 11:00 UTC; the hour before it, in this week and the four before.
  const T = ms('2026-11-12T11:00:00Z')
  const anomalyRules = rules(`
group: anomalies
rules:
  - id: closures_drop
    kind: anomaly
    kpi: completed
    process: orders_anomaly
    window: 1h
    direction: below
    baseline: { method: seasonal, weeks: 4, k: 3, min_deviation: 2, min_samples: 3 }
    annotations:
      summary: '{{ $value }} orders closed, usually {{ $baseline }} ({{ $lower }} to {{ $upper }})'
  - id: closures_surge
    kind: anomaly
    kpi: completed
    process: orders_anomaly
    window: 1h
    direction: above
    baseline: { method: seasonal, weeks: 4, k: 3, min_deviation: 2, min_samples: 3 }
  - id: closures_short_history
    kind: anomaly
    kpi: completed
    process: orders_anomaly
    window: 1h
    baseline: { method: seasonal, weeks: 2, min_samples: 3 }
`)

  it('breaches below the band the same hour of the previous weeks makes, and says UNKNOWN on too short a history', async () => {
    // Past weeks (oldest first) closed 13, 11, 12, 10 orders in the hour; this week 3 (the
    // last at 10:52, so the process watermark is fresh).
    await insertEvents(opened.store, anomalyProcess, [
      ...closures('W4', 13, T - 4 * WEEK - 40 * MIN),
      ...closures('W3', 11, T - 3 * WEEK - 40 * MIN),
      ...closures('W2', 12, T - 2 * WEEK - 40 * MIN),
      ...closures('W1', 10, T - WEEK - 40 * MIN),
      ...closures('NOW', 3, T - 10 * MIN),
    ])
    const engine = await createRulesEngine({ store: opened.store, rules: anomalyRules, definitions, logger, links })
    await engine.evaluate(T, { all: true })
    const byRule = new Map(engine.alerts().map((a) => [a.record.ruleId, a]))
    // median 11.5, MAD 1.0 -> spread 1.4826, 3 x 1.4826 = 4.4478 > min_deviation 2:
    // [7.0522, 15.9478]; 3 is below it.
    expect(byRule.get('closures_drop')?.record).toMatchObject({ phase: 'firing', lastResult: 'breach', lastValue: 3 })
    expect(byRule.get('closures_drop')?.details.summary).toBe('3 orders closed, usually 11.5 (7.052 to 15.948)')
    // The value stays out of the labels.
    expect(byRule.get('closures_drop')?.record.labels).toEqual({ alertname: 'closures_drop', process: 'orders_anomaly' })
    expect(byRule.get('closures_surge')?.record).toMatchObject({ phase: 'inactive', lastResult: 'ok' })
    // Two past weeks, both with a value: 2 < min_samples 3.
    expect(byRule.get('closures_short_history')?.record).toMatchObject({ phase: 'inactive', lastResult: 'unknown' })
    expect(byRule.get('closures_short_history')?.details.reason).toBe('low_baseline_sample (2 < 3)')
    await engine.stop()
  }, 180_000)
})

describe('flap detection', () => {
  it('holds the notifications of a flapping alert until it settles, and shows it flapping', async () => {
    const flapRules = rules(`
group: flaps
rules:
  - id: flappy_silent
    kind: heartbeat
    system: FLAPPY
    silent_for: 5m
    flap_detection: { window: 4, high: 50, low: 25 }
`)
    const T0 = ms('2026-11-13T09:00:00Z')
    const beat = (observedMs: number) =>
      insertEvents(opened.store, flapProcess, [
        { milestone: 'order.approved', atMs: observedMs, observedMs, keys: { order: `F-${observedMs}` }, system: 'FLAPPY' },
      ])
    await beat(T0)
    const sent: Array<{ at: number; alerts: Alert[] }> = []
    const engine = await createRulesEngine({
      store: opened.store,
      rules: flapRules,
      definitions,
      logger,
      links,
      // Other tests' alerts in this store resolve as `deleted` here: only this rule's count.
      notify: async (alerts, at) => void sent.push({ at, alerts: alerts.filter((a) => a.ruleId === 'flappy_silent') }),
    })
    // ok, breach, ok, breach, ok, breach, breach, breach, breach (silent more than 5 minutes or not).
    const plan: Array<[number, number | undefined]> = [
      [1, undefined],
      [10, 11],
      [12, undefined],
      [20, 21],
      [22, undefined],
      [30, undefined],
      [40, undefined],
      [50, undefined],
      [60, undefined],
    ]
    const flapping: boolean[] = []
    for (const [minute, beatAt] of plan) {
      await engine.evaluate(T0 + minute * MIN, { all: true })
      const listed = await listAlerts(opened.store, { state: 'all', ruleId: 'flappy_silent' })
      flapping.push(listed.alerts[0]?.flapping ?? false)
      if (beatAt !== undefined) await beat(T0 + beatAt * MIN)
    }
    await engine.stop()
    // History (window 4): 'obob' at 20 min (100 %) starts it; 'bbbb' at 60 min (0 % < 25) stops it.
    expect(flapping).toEqual([false, false, false, true, true, true, true, true, false])
    const handed = sent.map(({ at, alerts }) => `${(at - T0) / MIN}:${alerts.map((a) => a.state).join(',')}`)
    // 10: the first episode fires (not flapping yet); 12: its resolve goes out. From 20 on the
    // new episodes are held (nothing handed, not even their resolve at 22), until it settles at 60.
    expect(handed).toEqual(['1:', '10:firing', '12:resolved', '20:', '22:', '30:', '40:', '50:', '60:firing'])
    // The flap history is stored with the alert: a restart goes on from it.
    const restarted = await createRulesEngine({ store: opened.store, rules: flapRules, definitions, logger, links })
    expect(restarted.alerts().find((a) => a.record.ruleId === 'flappy_silent')?.details).toMatchObject({ flap: { history: 'bbbb', flapping: false }, held: '' })
    await restarted.stop()
    const rows = await transitionsOf('flappy_silent')
    expect(rows.filter((r) => r.Reason.startsWith('flapping')).map((r) => [r.Reason, (Number(r.EventTimeMs) - T0) / MIN])).toEqual([
      ['flapping_started', 20],
      ['flapping_stopped', 60],
    ])
  }, 180_000)
})

describe('late data', () => {
  it('raises SourceLate after a long UNKNOWN, inhibits the alerts reading that system, and replays the UNKNOWN windows on their event times', async () => {
    const lateRules = rules(`
group: late
rules:
  - id: no_closures
    kind: threshold
    kpi: completed
    process: orders_late
    window: 30m
    op: '<'
    value: 1
    for: 20m
    interval: 10m
    source_late_after: 20m
  - id: fin_silent
    kind: heartbeat
    system: FIN
    silent_for: 80m
`)
    const T0 = ms('2026-11-16T09:00:00Z')
    // L1 closed at T0 - 50 min (the FIN's last word); L2 approved at T0 (the CRM's).
    await insertEvents(opened.store, lateProcess, [
      { milestone: 'order.approved', atMs: T0 - 60 * MIN, keys: { order: 'L1' }, system: 'CRM' },
      { milestone: 'order.closed', atMs: T0 - 50 * MIN, keys: { order: 'L1' }, system: 'FIN' },
      { milestone: 'order.approved', atMs: T0, keys: { order: 'L2' }, system: 'CRM' },
    ])
    const sent = new Map<number, string[]>()
    const engine = await createRulesEngine({
      store: opened.store,
      rules: lateRules,
      definitions,
      logger,
      links,
      notify: async (alerts, at) =>
        void sent.set(
          (at - T0) / MIN,
          alerts
            .filter((a) => ['no_closures', 'fin_silent', 'SourceLate'].includes(a.ruleId))
            .map((a) => `${a.ruleId}${a.ruleId === 'SourceLate' ? `{${a.labels.system}}` : ''}:${a.state}`)
            .sort(),
        ),
    })
    const byRule = () => new Map(engine.alerts().map((a) => [`${a.record.ruleId}${a.record.ruleId === 'SourceLate' ? `{${a.record.labels.system}}` : ''}`, a]))
    // T0+20: the process's newest event (T0) is older than T0+20 - 15 min: UNKNOWN, not an alert.
    await engine.evaluate(T0 + 20 * MIN, { all: true })
    expect(byRule().get('no_closures')?.record).toMatchObject({ phase: 'inactive', lastResult: 'unknown', unknownSinceMs: T0 + 20 * MIN })
    await engine.evaluate(T0 + 30 * MIN, { all: true })
    // T0+40: UNKNOWN for 20 min = source_late_after: SourceLate for both late systems (CRM's
    // newest T0 and FIN's T0 - 50 min are behind T0+40 - 15 min). The FIN has been silent
    // 90 min > 80: fin_silent fires, but reads the FIN: inhibited, not handed over.
    await engine.evaluate(T0 + 40 * MIN, { all: true })
    expect(byRule().get('fin_silent')?.record.phase).toBe('firing')
    expect(byRule().get('fin_silent')?.details.held).toBe('inhibited by SourceLate{system=FIN}')
    expect(sent.get(40)).toEqual(['SourceLate{CRM}:firing', 'SourceLate{FIN}:firing'])
    // The CRM's late data arrives at T0+45 (an order approved at T0+44): the process is known
    // again. No order closed in [T0+20, T0+50): a breach; its UNKNOWN windows are evaluated
    // again at T0+20, +30, +40: pending at T0+20, firing at T0+40 (held 20 min of event time).
    await insertEvents(opened.store, lateProcess, [
      { milestone: 'order.approved', atMs: T0 + 44 * MIN, observedMs: T0 + 45 * MIN, keys: { order: 'L3' }, system: 'CRM' },
    ])
    await engine.evaluate(T0 + 50 * MIN, { all: true })
    await engine.stop()
    const rows = await transitionsOf('no_closures')
    expect(rows.map((r) => [r.FromState, r.ToState, (Number(r.EventTimeMs) - T0) / MIN])).toEqual([
      ['inactive', 'pending', 20],
      ['pending', 'firing', 40],
    ])
    expect(byRule().get('no_closures')?.record).toMatchObject({ phase: 'firing', pendingSinceMs: T0 + 20 * MIN, firingSinceMs: T0 + 40 * MIN })
    // SourceLate resolves; fin_silent is no longer inhibited and goes out.
    expect(sent.get(50)).toEqual(['SourceLate{CRM}:resolved', 'SourceLate{FIN}:resolved', 'fin_silent:firing', 'no_closures:firing'])
  }, 240_000)

  it('resolves with reason late_data an alert whose breaching window late data shows never breached', async () => {
    const breachRules = rules(`
group: late_breach
rules:
  - id: no_closures_yet
    kind: threshold
    kpi: completed
    process: orders_late_breach
    window: 1h
    op: '<'
    value: 1
`)
    const T = ms('2026-11-17T10:00:00Z')
    // The CRM speaks up to T - 1 min, so the process is not late at T; M1's closure at T - 5 min
    // reaches us only at T + 3 min (within the FIN's allowance).
    await insertEvents(opened.store, lateBreachProcess, [
      { milestone: 'order.approved', atMs: T - 30 * MIN, keys: { order: 'M1' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: T - MIN, keys: { order: 'M2' }, system: 'CRM' },
    ])
    const engine = await createRulesEngine({ store: opened.store, rules: breachRules, definitions, logger, links })
    await engine.evaluate(T, { all: true })
    const mine = () => engine.alerts().find((a) => a.record.ruleId === 'no_closures_yet')
    expect(mine()?.record.phase).toBe('firing')
    await insertEvents(opened.store, lateBreachProcess, [
      { milestone: 'order.closed', atMs: T - 5 * MIN, observedMs: T + 3 * MIN, keys: { order: 'M1' }, system: 'FIN' },
    ])
    await engine.evaluate(T + 5 * MIN, { all: true })
    await engine.stop()
    expect(mine()?.record).toMatchObject({ phase: 'resolved', resolveReason: 'late_data', resolvedMs: T + 5 * MIN })
    const rows = await transitionsOf('no_closures_yet')
    expect(rows.map((r) => [r.FromState, r.ToState, r.Reason])).toEqual([
      ['inactive', 'firing', 'breach'],
      ['firing', 'resolved', 'late_data'],
    ])
  }, 180_000)

  it("looks for late data for all of a rule's alerts at once and resolves only the alerts it clears", async () => {
    const absenceRules = rules(`
group: late_absence
rules:
  - id: not_shipped_in_time
    kind: absence
    process: orders_late_absence
    after: order.approved
    expect: order.shipped
    within: 1h
`)
    const T = ms('2026-11-18T10:00:00Z')
    // A1 and A2 were approved 3 h ago and are not shipped: both breach at T. A0 shipped in time,
    // a minute ago, so the WMS is not late.
    await insertEvents(opened.store, lateAbsenceProcess, [
      { milestone: 'order.approved', atMs: T - 180 * MIN, keys: { order: 'A1' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: T - 170 * MIN, keys: { order: 'A2' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: T - 30 * MIN, keys: { order: 'A0' }, system: 'CRM' },
      { milestone: 'order.shipped', atMs: T - MIN, keys: { order: 'A0' }, system: 'WMS' },
    ])
    const engine = await createRulesEngine({ store: opened.store, rules: absenceRules, definitions, logger, links })
    await engine.evaluate(T, { all: true })
    const phaseOf = (order: string) => engine.alerts().find((a) => a.record.ruleId === 'not_shipped_in_time' && a.record.labels.instance === order)?.record
    expect([phaseOf('A1')?.phase, phaseOf('A2')?.phase]).toEqual(['firing', 'firing'])
    // A1 had shipped within its hour (T - 150 min, deadline T - 120 min); the WMS sends it at T + 3 min.
    await insertEvents(opened.store, lateAbsenceProcess, [
      { milestone: 'order.shipped', atMs: T - 150 * MIN, observedMs: T + 3 * MIN, keys: { order: 'A1' }, system: 'WMS' },
    ])
    await engine.evaluate(T + 5 * MIN, { all: true })
    await engine.stop()
    expect(phaseOf('A1')).toMatchObject({ phase: 'resolved', resolveReason: 'late_data', resolvedMs: T + 5 * MIN })
    expect(phaseOf('A2')).toMatchObject({ phase: 'firing' })
  }, 180_000)

  it('replays an integration rule when spans arrive late for its breaching window, and resolves it with late_data', async () => {
    const T = ms('2026-11-19T10:00:00Z')
    /** One call of orders-late at `startMs`, stored at `ingestedMs`. */
    const call = (i: number, startMs: number, failed: boolean, ingestedMs = startMs): string =>
      JSON.stringify({
        Timestamp: new Date(startMs).toISOString().replace('Z', '000000'),
        TraceId: `late${i}`.padEnd(32, '0'),
        SpanId: String(i).padStart(16, '0'),
        ParentSpanId: '',
        SpanName: 'POST /orders',
        SpanKind: 'Client',
        ServiceName: 'CRM',
        ResourceAttributes: {},
        SpanAttributes: { 'integration.name': 'orders-late', 'integration.source.system': 'CRM', 'integration.target.system': 'ERP' },
        Duration: 50_000_000,
        StatusCode: failed ? 'Error' : 'Ok',
        IngestedAt: new Date(ingestedMs).toISOString(),
      })
    const insertSpans = (rows: string[]) =>
      command(
        opened.store,
        `INSERT INTO otel_traces (${SPAN_COLUMNS}) SELECT * FROM format(JSONEachRow, {structure:String}, {body:String}) SETTINGS insert_allow_materialized_columns = 1`,
        { structure: SPAN_STRUCTURE, body: rows.join('\n') },
        { tag: 'test.spans' },
      )
    // At T: 2 of 4 calls in the last 10 minutes failed (the failures 9 and 8 minutes ago).
    await insertSpans([call(1, T - 9 * MIN, true), call(2, T - 8 * MIN, true), call(3, T - 5 * MIN, false), call(4, T - 4 * MIN, false)])
    const integrationRules = rules(`
group: late_spans
rules:
  - id: orders_late_errors
    kind: threshold
    kpi: attempt_error_rate
    where: { integration: orders-late }
    window: 10m
    op: '>'
    value: 0.2
`)
    const engine = await createRulesEngine({ store: opened.store, rules: integrationRules, definitions, logger, links })
    await engine.evaluate(T, { all: true })
    const mine = () => engine.alerts().find((a) => a.record.ruleId === 'orders_late_errors')?.record
    expect(mine()).toMatchObject({ phase: 'firing', lastValue: 0.5 })
    // Eight successful calls of that window reach us 2 minutes after it: 2 of 12 failed then.
    await insertSpans(Array.from({ length: 8 }, (_, i) => call(10 + i, T - 6 * MIN + i * 30_000, false, T + 2 * MIN)))
    await engine.evaluate(T + 3 * MIN, { all: true })
    await engine.stop()
    expect(mine()).toMatchObject({ phase: 'resolved', resolveReason: 'late_data', resolvedMs: T + 3 * MIN })
  }, 180_000)
})
