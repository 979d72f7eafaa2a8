// `throughline rules test`: the runner on its own small process and rules (a stuck rule and a
// heartbeat), on chDB: a passing file, a failing assertion whose message names the eval time,
// the alert and what differed, a malformed file reported as FILE:LINE: FIELD: message without
// running, the notification sequence (time, receiver, reason, same thread or new), and the
// command's exit codes 0, 1 and 2 in a process of its own (chDB binds one data directory per
// process).
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatRuleTestReport, runRuleTests, type RuleTestReport } from '../../rules/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { tempDir } from '../support/temp-dir.ts'

const dir = tempDir('rule-tests')
let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('rule_tests_store')
})
afterAll(async () => {
  await opened.close()
  dir.remove()
})

const write = (name: string, text: string): string => {
  const file = join(dir.path, name)
  writeFileSync(file, text)
  return file
}

write(
  'orders.yaml',
  `name: orders
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.approved
    system: CRM
  - name: order.shipped
    system: WMS
start: [order.approved]
terminal:
  - { milestone: order.shipped, outcome: completed }
stages:
  - { after: order.approved, threshold: 30m }
value:
  attribute: amount
  currency: EUR
`,
)

write(
  'rules.yaml',
  `group: orders
labels: { team: desk }
rules:
  - id: orders_stuck
    kind: stuck
    process: orders
    for: 10m
    annotations:
      summary: '{{ $value }} orders stuck ({{ $impact.value_at_risk }} at risk)'
  - id: wms_silent
    kind: heartbeat
    system: WMS
    silent_for: 30m
    severity: critical
`,
)

const HEADER = `rule_files: [rules.yaml]
process_definitions: [orders.yaml]
process: orders
start_timestamp: 2026-11-02T10:00:00Z
evaluation_interval: 5m
`

// A1 is approved at 09:35 and waits on the WMS (which keeps shipping other orders): stuck from
// 10:05 (30 min), pending at 10:10, firing at 10:20; it ships at 10:22.
const stuckCase = (assertions: string): string => `
  - name: a stuck order
    rules: [orders_stuck]
    input_events:
      - { milestone: order.approved, time: -25m, keys: { order: A1 }, attrs: { amount: 250.5 } }
      - { milestone: order.shipped, time: -30m, count: 10, every: 5m, keys: { order: 'Z{i}' } }
      - { milestone: order.shipped, time: 22m, keys: { order: A1 } }
    alert_rule_test:
${assertions}`

const PASSING_ASSERTIONS = `      - { eval_time: 5m, alertname: orders_stuck }
      - eval_time: 10m
        alertname: orders_stuck
        exp_alerts: [{ exp_state: pending }]
      - eval_time: 20m
        alertname: orders_stuck
        exp_alerts:
          - exp_labels: { team: desk, process: orders }
            exp_state: firing
            exp_value: 1
            exp_annotations: { summary: '1 orders stuck (250.5 EUR at risk)' }
            exp_impact: { instances: 1, sample_keys: [order=A1], value_at_risk: [{ currency: EUR, amount: 250.5 }] }
            exp_impact_start: 5m
      - eval_time: 25m
        alertname: orders_stuck
        exp_alerts: [{ exp_state: resolved }]
    notification_test:
      config:
        route: { receiver: desk, group_wait: 30s, group_interval: 5m, repeat_interval: 4h }
        receivers: [{ name: desk, webhook_configs: [{ url: 'http://recorded.invalid/' }] }]
      exp_notifications:
        - { time: 20m30s, receiver: desk, reason: first, thread: new, status: firing, alerts: [orders_stuck] }
        - { time: 25m10s, receiver: desk, reason: all_resolved, thread: same, status: resolved }
`

const passing = write('pass.test.yaml', `${HEADER}tests:${stuckCase(PASSING_ASSERTIONS)}`)
const failing = write(
  'fail.test.yaml',
  `${HEADER}tests:${stuckCase(`      - eval_time: 10m
        alertname: orders_stuck
        exp_alerts:
          - exp_state: firing
            exp_impact: { sample_keys: [order=A2] }
`)}`,
)

// The WMS speaks at 0m and 1h10m: silent past 30 min from 35m (firing), again from 1h45m.
const notificationFile = (expected: string): string =>
  write(
    `notify-${expected.length}.test.yaml`,
    `${HEADER}tests:
  - name: the WMS falls silent twice
    rules: [wms_silent]
    input_events:
      - { milestone: order.shipped, time: 0m, keys: { order: W1 } }
      - { milestone: order.shipped, time: 1h10m, keys: { order: W2 } }
    notification_test:
      config:
        route: { receiver: ops, group_by: [alertname], group_wait: 30s, group_interval: 5m, repeat_interval: 4h }
        receivers: [{ name: ops, slack_configs: [{ channel: C0OPS, token: xoxb-recorded }] }]
      until: 1h50m
      exp_notifications:
${expected}`,
  )

const malformed = write(
  'bad.test.yaml',
  `${HEADER}tests:
  - name: broken
    input_events:
      - { milestone: order.lost, time: 0m, keys: { order: A1 } }
      - { milestone: order.approved, time: soon, keys: { order: A1 } }
    alert_rule_test:
      - eval_time: 10m
        alertname: orders_late
`,
)

const run = (files: readonly string[]): Promise<RuleTestReport> => runRuleTests(files, { store: opened.store })

describe('rules test', () => {
  it('passes a file whose alerts and notifications are as expected, and says SUCCESS', async () => {
    const report = await run([passing])
    expect(report.files[0]?.tests[0]?.assertions.filter((a) => !a.ok)).toEqual([])
    expect(report).toMatchObject({ ok: true, malformed: false })
    expect(report.files[0]?.tests[0]?.assertions.map((a) => a.kind)).toEqual(['alert', 'alert', 'alert', 'alert', 'notifications'])
    expect(formatRuleTestReport(report)).toEqual({ stdout: [`Unit Testing: ${passing}`, '  SUCCESS (1 test, 5 assertions)'], stderr: [] })
  })

  it('names the eval time, the alert and what differed when an assertion fails', async () => {
    const report = await run([failing])
    expect(report).toMatchObject({ ok: false, malformed: false })
    const [assertion] = report.files[0]!.tests[0]!.assertions
    expect(assertion).toEqual({
      kind: 'alert',
      ok: false,
      line: 14,
      title: 'eval_time 10m (2026-11-02T10:10:00.000Z), alertname orders_stuck',
      messages: [
        'orders_stuck{process="orders", team="desk"}: state: expected firing, got pending (last result breach: 1 stuck)',
        'orders_stuck{process="orders", team="desk"}: impact.sample_keys: expected [order=A2], got [order=A1]',
      ],
    })
    expect(formatRuleTestReport(report).stdout).toEqual([
      `Unit Testing: ${failing}`,
      '  FAILED:',
      `    ${failing}:7: a stuck order`,
      `      ${failing}:14: eval_time 10m (2026-11-02T10:10:00.000Z), alertname orders_stuck:`,
      '        orders_stuck{process="orders", team="desk"}: state: expected firing, got pending (last result breach: 1 stuck)',
      '        orders_stuck{process="orders", team="desk"}: impact.sample_keys: expected [order=A2], got [order=A1]',
      '  1 of 1 test failed',
    ])
  })

  it('reports a malformed file as FILE:LINE: FIELD: message, and does not run it', async () => {
    const report = await run([malformed])
    expect(report).toMatchObject({ ok: false, malformed: true, files: [{ tests: [] }] })
    expect(formatRuleTestReport(report)).toEqual({
      stdout: [`Unit Testing: ${malformed}`, '  FAILED: the test file is malformed (3 problems, listed on stderr); it did not run'],
      stderr: [
        `${malformed}:9: tests[0].input_events[0].milestone: orders has no milestone "order.lost"`,
        `${malformed}:10: tests[0].input_events[1].time: 'soon' is neither an offset from start_timestamp ('90m', '-2h', '1d4h') nor an RFC 3339 time with a zone`,
        `${malformed}:13: tests[0].alert_rule_test[0].alertname: "orders_late" is no rule in the rule files; they are: orders_stuck, wms_silent`,
      ],
    })
  })

  it('asserts the sequence of notifications: time, receiver, reason, and the same thread or a new one', async () => {
    const expected = `        - { time: 35m30s, receiver: ops, reason: first, thread: new, status: firing, alerts: [wms_silent] }
        - { time: 1h10m10s, receiver: ops, reason: all_resolved, thread: same, status: resolved }
        - { time: 1h45m30s, receiver: ops, reason: first, thread: new, status: firing }
`
    const good = await run([notificationFile(expected)])
    expect(good.files[0]?.tests[0]?.assertions).toMatchObject([{ kind: 'notifications', ok: true, messages: [] }])

    const wrong = notificationFile(`        - { time: 35m30s, receiver: ops, reason: first, thread: new }
        - { time: 1h10m10s, receiver: ops, reason: some_resolved, thread: same }
        - { time: 1h45m30s, receiver: ops, reason: first, thread: same }
`)
    const bad = await run([wrong])
    expect(bad.ok).toBe(false)
    expect(bad.files[0]?.tests[0]?.assertions[0]).toEqual({
      kind: 'notifications',
      ok: false,
      line: 12,
      title: 'notification_test up to 1h50m (2026-11-02T11:50:00.000Z)',
      messages: [
        'message 2 (line 19): reason: expected some_resolved, got all_resolved',
        'message 3 (line 20): thread: expected same, got new (group episode message 1)',
        'expected:',
        '  35m30s (2026-11-02T10:35:30.000Z) receiver ops, first, thread new',
        '  1h10m10s (2026-11-02T11:10:10.000Z) receiver ops, some_resolved, thread same',
        '  1h45m30s (2026-11-02T11:45:30.000Z) receiver ops, first, thread same',
        'got:',
        '  35m30s (2026-11-02T10:35:30.000Z) receiver ops, first, thread new, firing [wms_silent]',
        '  1h10m10s (2026-11-02T11:10:10.000Z) receiver ops, all_resolved, thread same, resolved [wms_silent]',
        '  1h45m30s (2026-11-02T11:45:30.000Z) receiver ops, first, thread new, firing [wms_silent]',
      ],
    })
  })
})

describe('the rules test command', () => {
  // cli/main.ts wires `rules test <files...>` to rulesTestCommand; run here in a process of its own.
  const command = pathToFileURL(resolve(import.meta.dirname, '../../cli/rules-test.ts')).href
  const script = write(
    'rules-test-command.ts',
    `import { rulesTestCommand } from '${command}'\nprocess.exitCode = await rulesTestCommand({ processesDir: 'processes.d' }, process.argv.slice(2))\n`,
  )
  const runCommand = async (files: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...files], { cwd: dir.path })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  it('exits 0 when every test passes, 1 when an assertion fails, 2 when a file is malformed', async () => {
    const [ok, failed, bad] = await Promise.all([runCommand([passing]), runCommand([passing, failing]), runCommand([malformed, passing])])
    expect(ok).toMatchObject({ code: 0, stdout: `Unit Testing: ${passing}\n  SUCCESS (1 test, 5 assertions)\n` })
    expect(failed.code).toBe(1)
    expect(failed.stdout).toContain(`Unit Testing: ${passing}\n  SUCCESS`)
    expect(failed.stdout).toContain(`Unit Testing: ${failing}\n  FAILED:`)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`${malformed}:9: tests[0].input_events[0].milestone: orders has no milestone "order.lost"`)
    expect(bad.stdout).toContain(`Unit Testing: ${passing}\n  SUCCESS`)
  }, 180_000)
})
