// Runs rule test files (docs/rule-tests.md) on simulated time, as promtool runs `test rules`:
// one embedded store per run (a temp directory, removed at the end) emptied before every test
// case; the rules engine evaluates the test's rules every evaluation_interval from its start;
// each input reaches the store once the simulated clock passes its observed time (late data
// arrives late); the notifier, when the test has a notification_test, runs on the same clock
// with channels that record. Results: per test case, per assertion, pass or fail with what
// differed, named by eval time and alert.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { resolveConfig } from '../../core/config.ts'
import { createNotifier, type AlertImpact, type Notifier, type NotifyReason } from '../../notify/index.ts'
import { businessEventRowJson, type DefinitionProblem } from '../../processes/index.ts'
import { command, createStoreClient, insertJsonEachRow, migrate, type StoreClient } from '../../store/index.ts'
import type { StoredAlert } from '../alert-store.ts'
import { createRulesEngine } from '../engine.ts'
import {
  loadRuleTestFile,
  offsetText,
  showTime,
  SPAN_COLUMNS,
  SPAN_STRUCTURE,
  type AlertAssertion,
  type AlertExpectation,
  type LoadOptions,
  type NotificationAssertion,
  type NotificationExpectation,
  type TestCase,
  type TestFilePlan,
} from './load.ts'
import { recordingChannels } from './recording-channels.ts'
import type { AlertTestState } from './schema.ts'

export interface RuleTestOptions extends LoadOptions {
  /**
   * A migrated store of its own to run on: every table the tests touch is emptied before each
   * test case. Default: a fresh embedded store in a temporary directory, removed at the end.
   */
  readonly store?: StoreClient
  readonly logger?: Logger
}

export interface AssertionResult {
  readonly kind: 'alert' | 'notifications' | 'evaluation'
  readonly ok: boolean
  /** The line of the assertion in the test file. */
  readonly line: number
  /** What was asserted: 'eval_time 4h15m (2026-11-02T06:15:00.000Z), alertname l2c_stuck_orders'. */
  readonly title: string
  /** What differed; empty when it passed. */
  readonly messages: readonly string[]
}

export interface TestCaseResult {
  readonly name: string
  readonly line: number
  readonly ok: boolean
  readonly evaluations: number
  /** Wall-clock time the case took, ms. */
  readonly durationMs: number
  readonly assertions: readonly AssertionResult[]
}

export interface RuleTestFileResult {
  readonly file: string
  readonly ok: boolean
  /** Set when the file (or a rule or definition file it names) is malformed: it did not run. */
  readonly problems: readonly DefinitionProblem[]
  readonly warnings: readonly DefinitionProblem[]
  readonly tests: readonly TestCaseResult[]
}

export interface RuleTestReport {
  /** Every file well-formed and every assertion passed. */
  readonly ok: boolean
  /** Some file is malformed (exit 2). */
  readonly malformed: boolean
  readonly files: readonly RuleTestFileResult[]
}

/** A message as its receiver saw it (one per decision, whatever the number of integrations). */
export interface RecordedMessage {
  readonly atMs: number
  readonly receiver: string
  readonly integrations: readonly string[]
  readonly groupKey: string
  readonly groupEpisode: string
  readonly sequence: number
  readonly reason: NotifyReason
  readonly status: 'firing' | 'resolved'
  readonly title: string
  readonly alerts: readonly string[]
}

const LINKS = { api: 'http://throughline.test', runbooks: 'http://throughline.test/api/v1/runbooks' }

// Everything a test case writes or the engine and notifier read back: emptied between cases.
const TEST_TABLES = [
  'business_events',
  'business_events_links',
  'otel_traces',
  'otel_traces_trace_id_ts',
  'sync_events',
  'otel_logs',
  'instance_keys',
  'instance_facts',
  'key_edges',
  'deriver_cursors',
  'alert_states',
  'alert_transitions',
  'alert_actions',
  'alert_diagnostics',
  'silences',
  'notification_log',
  'notification_groups',
] as const

const MAX_TICKS_PER_STEP = 10_000

let insertSequence = 0
const insertToken = (): string => `rules-test-${process.pid}-${Date.now()}-${++insertSequence}`

async function emptyTables(store: StoreClient): Promise<void> {
  for (const table of TEST_TABLES) await command(store, `TRUNCATE TABLE IF EXISTS \`${table}\``, {}, { tag: 'rules-test.reset' })
}

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.entries(labels)
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`

const alertName = (stored: StoredAlert): string => `${stored.record.ruleId}${labelText(stored.record.labels)}`

/** The state a test sees: `unknown` when this very evaluation said UNKNOWN, else the phase. */
function stateAt(stored: StoredAlert, evaluatedMs: number): AlertTestState {
  const { record } = stored
  return record.lastResult === 'unknown' && record.lastEvaluatedMs === evaluatedMs ? 'unknown' : record.phase
}

const close = (a: number, b: number, tolerance: number): boolean => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b))
const list = (values: readonly string[]): string => `[${values.join(', ')}]`
const money = (values: ReadonlyArray<{ readonly currency: string; readonly amount: number }>): string =>
  list([...values].sort((a, b) => a.currency.localeCompare(b.currency)).map((v) => `${v.amount} ${v.currency}`))

function describeAlert(stored: StoredAlert, evaluatedMs: number, startMs: number): string {
  const { record } = stored
  const state = stateAt(stored, evaluatedMs)
  const held = state === 'unknown' ? ` (holding ${record.phase})` : ''
  const value = record.lastValue === null ? '' : `, value ${record.lastValue}`
  const last = record.lastResult === '' ? '' : `, last result ${record.lastResult} at ${offsetText(record.lastEvaluatedMs, startMs)}`
  return `${alertName(stored)} ${state}${held}${last}${value}`
}

/** What differs between one expected alert and one actual alert; empty when it matches. */
function differences(expected: AlertExpectation, stored: StoredAlert, evaluatedMs: number, startMs: number): string[] {
  const out: string[] = []
  const { record, details } = stored
  const state = stateAt(stored, evaluatedMs)
  if (state !== expected.state) {
    const why =
      state === 'unknown'
        ? ` (the last result was UNKNOWN: ${details.reason})`
        : record.lastResult !== ''
          ? ` (last result ${record.lastResult}: ${details.reason})`
          : ''
    out.push(`state: expected ${expected.state}, got ${state}${why}`)
  }
  if (expected.phase !== undefined && record.phase !== expected.phase) out.push(`phase: expected ${expected.phase}, got ${record.phase}`)
  for (const field of ['summary', 'description'] as const) {
    const want = expected.annotations?.[field]
    if (want !== undefined && details[field] !== want) out.push(`annotations.${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(details[field])}`)
  }
  if (expected.value !== undefined) {
    const got = record.lastValue
    const same = expected.value === null || got === null ? expected.value === got : close(expected.value, got, 1e-9)
    if (!same) out.push(`value: expected ${String(expected.value)}, got ${String(got)}`)
  }
  if (expected.impact !== undefined) {
    const impact = details.impact as AlertImpact | undefined
    const want = expected.impact
    if (want.instances !== undefined && impact?.instances !== want.instances)
      out.push(`impact.instances: expected ${want.instances}, got ${impact?.instances ?? 'none'}`)
    if (want.sampleKeys !== undefined) {
      const got = [...(impact?.sampleKeys ?? [])].sort()
      const exp = [...want.sampleKeys].sort()
      if (got.join('\u0000') !== exp.join('\u0000')) out.push(`impact.sample_keys: expected ${list(exp)}, got ${list(got)}`)
    }
    if (want.valueAtRisk !== undefined) {
      const got = [...(impact?.valueAtRisk ?? [])].sort((a, b) => a.currency.localeCompare(b.currency))
      const exp = [...want.valueAtRisk].sort((a, b) => a.currency.localeCompare(b.currency))
      const same = got.length === exp.length && got.every((v, i) => v.currency === exp[i]!.currency && close(v.amount, exp[i]!.amount, 1e-9))
      if (!same) out.push(`impact.value_at_risk: expected ${money(exp)}, got ${money(got)}`)
    }
    if (want.slaBreachAt !== undefined) {
      const got = impact?.slaBreachAt
      if (got === undefined || Date.parse(got) !== want.slaBreachAt.ms)
        out.push(`impact.sla_breach_at: expected ${showTime(want.slaBreachAt)}, got ${got ?? 'none'}`)
    }
  }
  if (expected.impactStart !== undefined && record.impactStartMs !== expected.impactStart.ms) {
    const got = record.impactStartMs === 0 ? 'none' : `${offsetText(record.impactStartMs, startMs)} (${new Date(record.impactStartMs).toISOString()})`
    out.push(`impact start: expected ${showTime(expected.impactStart)}, got ${got}`)
  }
  return out
}

const subsetOf = (want: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(want).every(([k, v]) => labels[k] === v)

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'firing', 'recovering'])

function checkAlerts(assertion: AlertAssertion, alerts: readonly StoredAlert[], evaluatedMs: number, startMs: number): AssertionResult {
  const title = `eval_time ${showTime(assertion.evalTime)}, alertname ${assertion.alertname}`
  const mine = alerts.filter((a) => a.record.ruleId === assertion.alertname)
  const used = new Set<string>()
  const messages: string[] = []
  for (const expected of assertion.expected) {
    const candidates = mine.filter((a) => !used.has(a.record.fingerprint) && subsetOf(expected.labels, a.record.labels))
    const labels = labelText(expected.labels)
    if (candidates.length === 0) {
      if (expected.state === 'inactive') continue // never evaluated to anything: inactive
      messages.push(
        `expected an alert ${assertion.alertname}${labels} ${expected.state}, got none with those labels` +
          (mine.length === 0 ? ' (the rule has no alert)' : `; the rule has: ${mine.map((a) => describeAlert(a, evaluatedMs, startMs)).join('; ')}`),
      )
      continue
    }
    const scored = candidates.map((a) => ({ alert: a, diffs: differences(expected, a, evaluatedMs, startMs) })).sort((x, y) => x.diffs.length - y.diffs.length)
    const best = scored[0]!
    used.add(best.alert.record.fingerprint)
    for (const diff of best.diffs) messages.push(`${alertName(best.alert)}: ${diff}`)
  }
  for (const alert of mine) {
    if (used.has(alert.record.fingerprint) || !ACTIVE.has(alert.record.phase)) continue
    messages.push(`unexpected alert ${describeAlert(alert, evaluatedMs, startMs)} (not in exp_alerts)`)
  }
  if (evaluatedMs !== assertion.evalTime.ms && messages.length > 0) {
    messages.push(`(the last evaluation at or before eval_time was at ${offsetText(evaluatedMs, startMs)}: evaluation_interval sets the grid)`)
  }
  return { kind: 'alert', ok: messages.length === 0, line: assertion.line, title, messages }
}

const threadOf = (m: RecordedMessage): 'new' | 'same' => (m.sequence === 0 ? 'new' : 'same')

function showMessage(m: RecordedMessage, startMs: number): string {
  return `${offsetText(m.atMs, startMs)} (${new Date(m.atMs).toISOString()}) receiver ${m.receiver}, ${m.reason}, thread ${threadOf(m)}, ${m.status} ${list(m.alerts)}`
}

function showExpected(n: NotificationExpectation): string {
  const status = n.status !== undefined ? `, ${n.status}` : ''
  const alerts = n.alerts !== undefined ? ` ${list(n.alerts)}` : ''
  return `${showTime(n.time)} receiver ${n.receiver}, ${n.reason}, thread ${n.thread}${status}${alerts}`
}

function checkNotifications(assertion: NotificationAssertion, messages: readonly RecordedMessage[], startMs: number): AssertionResult {
  const got = messages.filter((m) => m.atMs <= assertion.until.ms)
  const title = `notification_test up to ${showTime(assertion.until)}`
  const out: string[] = []
  const count = Math.max(got.length, assertion.expected.length)
  for (let i = 0; i < count; i++) {
    const exp = assertion.expected[i]
    const m = got[i]
    if (exp === undefined) {
      out.push(`message ${i + 1}: unexpected ${showMessage(m!, startMs)}`)
      continue
    }
    if (m === undefined) {
      out.push(`message ${i + 1}: expected ${showExpected(exp)}, got no message`)
      continue
    }
    const diffs: string[] = []
    if (m.atMs !== exp.time.ms) diffs.push(`time: expected ${showTime(exp.time)}, got ${offsetText(m.atMs, startMs)} (${new Date(m.atMs).toISOString()})`)
    if (m.receiver !== exp.receiver) diffs.push(`receiver: expected ${exp.receiver}, got ${m.receiver}`)
    if (m.reason !== exp.reason) diffs.push(`reason: expected ${exp.reason}, got ${m.reason}`)
    if (threadOf(m) !== exp.thread) diffs.push(`thread: expected ${exp.thread}, got ${threadOf(m)} (group episode message ${m.sequence + 1})`)
    if (exp.status !== undefined && m.status !== exp.status) diffs.push(`status: expected ${exp.status}, got ${m.status}`)
    if (exp.alerts !== undefined && [...exp.alerts].sort().join(',') !== [...m.alerts].sort().join(','))
      diffs.push(`alerts: expected ${list(exp.alerts)}, got ${list(m.alerts)}`)
    if (exp.title !== undefined && m.title !== exp.title) diffs.push(`title: expected ${JSON.stringify(exp.title)}, got ${JSON.stringify(m.title)}`)
    if (diffs.length > 0) out.push(`message ${i + 1} (line ${exp.line}): ${diffs.join('; ')}`)
  }
  if (out.length > 0) {
    out.push('expected:', ...assertion.expected.map((n) => `  ${showExpected(n)}`))
    out.push('got:', ...(got.length === 0 ? ['  (no message)'] : got.map((m) => `  ${showMessage(m, startMs)}`)))
  }
  return { kind: 'notifications', ok: out.length === 0, line: assertion.line, title, messages: out }
}

async function runCase(store: StoreClient, plan: TestFilePlan, test: TestCase, logger: Logger): Promise<TestCaseResult> {
  const began = performance.now()
  await emptyTables(store)
  const sim = { now: test.startMs }
  const recorded: Array<RecordedMessage & { integrations: string[] }> = []
  const byDecision = new Map<string, RecordedMessage & { integrations: string[] }>()
  let notifier: Notifier | undefined
  if (test.notifications !== undefined) {
    // Forwarding to an Alertmanager would post over the network: left out, not recorded.
    const config = { ...test.notifications.config, receivers: test.notifications.config.receivers.map(({ alertmanager_configs: _, ...r }) => r) }
    notifier = createNotifier({
      store,
      config,
      clock: { now: () => sim.now },
      logger,
      channels: recordingChannels((n, nowMs) => {
        const key = [n.receiver, n.groupKey, n.groupEpisode, n.sequence].join('\u0000')
        const seen = byDecision.get(key)
        if (seen !== undefined) return void seen.integrations.push(n.integration)
        const message = {
          atMs: nowMs,
          receiver: n.receiver,
          integrations: [n.integration],
          groupKey: n.groupKey,
          groupEpisode: n.groupEpisode,
          sequence: n.sequence,
          reason: n.reason,
          status: n.status,
          title: n.title,
          alerts: n.alerts.map((a) => a.ruleId),
        }
        byDecision.set(key, message)
        recorded.push(message)
      }),
    })
  }
  const running = notifier
  const engine = await createRulesEngine({
    store,
    rules: test.rules,
    definitions: plan.definitions,
    logger,
    links: LINKS,
    clock: () => sim.now,
    ...(running !== undefined ? { notify: (alerts, nowMs) => running.update(alerts, nowMs) } : {}),
  })

  const events = [...test.events].sort((a, b) => a.observedMs - b.observedMs)
  const spans = [...test.spans].sort((a, b) => a.observedMs - b.observedMs)
  let nextEvent = 0
  let nextSpan = 0
  const insertVisible = async (atMs: number): Promise<void> => {
    const firstEvent = nextEvent
    while (nextEvent < events.length && events[nextEvent]!.observedMs <= atMs) nextEvent++
    if (nextEvent > firstEvent) {
      const body = events
        .slice(firstEvent, nextEvent)
        .map((e) => businessEventRowJson(e.row))
        .join('')
      await insertJsonEachRow(store, 'business_events', body, { tag: 'rules-test.events', dedupToken: insertToken() })
    }
    const firstSpan = nextSpan
    while (nextSpan < spans.length && spans[nextSpan]!.observedMs <= atMs) nextSpan++
    if (nextSpan > firstSpan) {
      // IngestedAt is MATERIALIZED (now64): written here as the span's observed time, so the
      // heartbeat of a system that only sends spans follows the simulated clock.
      const body = spans
        .slice(firstSpan, nextSpan)
        .map((s) => s.json)
        .join('\n')
      await command(
        store,
        `INSERT INTO otel_traces (${SPAN_COLUMNS}) SELECT * FROM format(JSONEachRow, {structure:String}, {body:String})
         SETTINGS insert_allow_materialized_columns = 1, insert_deduplication_token = '${insertToken()}'`,
        { structure: SPAN_STRUCTURE, body },
        { tag: 'rules-test.spans' },
      )
    }
  }

  const assertions: AssertionResult[] = []
  const errors = new Map<string, { first: number; count: number; message: string }>()
  const snapshots = new Map<AlertAssertion, { atMs: number; alerts: readonly StoredAlert[] }>()
  let evaluations = 0
  for (let t = test.startMs; t <= test.endMs; t += test.intervalMs) {
    const next = t + test.intervalMs
    await insertVisible(t)
    sim.now = t
    const report = await engine.evaluate(t, { all: true })
    evaluations++
    for (const run of report.runs) {
      if (run.error === undefined) continue
      const seen = errors.get(run.ruleId)
      if (seen === undefined) errors.set(run.ruleId, { first: t, count: 1, message: run.error })
      else seen.count++
    }
    for (const assertion of test.alertTests) {
      if (assertion.evalTime.ms >= t && assertion.evalTime.ms < next) snapshots.set(assertion, { atMs: t, alerts: [...engine.alerts()] })
    }
    if (running !== undefined) {
      // The notifier's own timers (group_wait, group_interval, resolve_wait) between evaluations.
      const horizon = Math.min(next - 1, test.endMs)
      let last = t
      for (let i = 0; i < MAX_TICKS_PER_STEP; i++) {
        const wake = running.nextWakeMs()
        if (wake === undefined || wake > horizon) break
        const at = Math.max(wake, last + 1)
        if (at > horizon) break
        sim.now = at
        await running.tick(at)
        last = at
      }
    }
  }
  await engine.stop()
  if (running !== undefined) await running.close()

  for (const [ruleId, error] of errors) {
    assertions.push({
      kind: 'evaluation',
      ok: false,
      line: test.line,
      title: `evaluation of ${ruleId}`,
      messages: [
        `failed at ${offsetText(error.first, test.startMs)} (${new Date(error.first).toISOString()})${error.count > 1 ? ` and ${error.count - 1} more times` : ''}: ${error.message}`,
      ],
    })
  }
  for (const assertion of test.alertTests) {
    const snapshot = snapshots.get(assertion)
    if (snapshot === undefined) throw new Error(`no evaluation before eval_time ${showTime(assertion.evalTime)}`)
    assertions.push(checkAlerts(assertion, snapshot.alerts, snapshot.atMs, test.startMs))
  }
  if (test.notifications !== undefined) assertions.push(checkNotifications(test.notifications, recorded, test.startMs))
  return { name: test.name, line: test.line, ok: assertions.every((a) => a.ok), evaluations, durationMs: performance.now() - began, assertions }
}

async function openTempStore(): Promise<{ store: StoreClient; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'throughline-rules-test-'))
  try {
    // Retention 0: inputs may lie further back than the 30 days spans are kept by default.
    const config = resolveConfig({ dataDir, retention: { tracesDays: 0, logsDays: 0 } })
    const store = createStoreClient(config)
    await migrate(store, config)
    return {
      store,
      async close() {
        await store.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
}

/** Loads every file, then runs the well-formed ones, each test case on an emptied store. */
export async function runRuleTests(files: readonly string[], options: RuleTestOptions = {}): Promise<RuleTestReport> {
  const logger = options.logger ?? pino({ level: 'silent' })
  const loads = await Promise.all(files.map((file) => loadRuleTestFile(file, options)))
  const results: RuleTestFileResult[] = []
  const runnable = loads.some((l) => l.ok && l.plan.cases.length > 0)
  const opened = runnable && options.store === undefined ? await openTempStore() : undefined
  const store = options.store ?? opened?.store
  try {
    for (const [i, load] of loads.entries()) {
      const file = files[i]!
      if (!load.ok) {
        results.push({ file, ok: false, problems: load.problems, warnings: [], tests: [] })
        continue
      }
      const tests: TestCaseResult[] = []
      for (const test of load.plan.cases) {
        try {
          tests.push(await runCase(store!, load.plan, test, logger))
        } catch (err) {
          tests.push({
            name: test.name,
            line: test.line,
            ok: false,
            evaluations: 0,
            durationMs: 0,
            assertions: [{ kind: 'evaluation', ok: false, line: test.line, title: 'run', messages: [err instanceof Error ? err.message : String(err)] }],
          })
        }
      }
      results.push({ file, ok: tests.every((t) => t.ok), problems: [], warnings: load.warnings, tests })
    }
  } finally {
    await opened?.close()
  }
  const malformed = results.some((r) => r.problems.length > 0)
  return { ok: results.every((r) => r.ok), malformed, files: results }
}
