// The whole alert path as serve wires it: business events -> the rules engine -> the runbook's
// automatic diagnostics -> the notifier -> a signed webhook, on simulated time: one firing
// message carrying the summary, the runbook link, the sample order ids and the diagnostic
// findings; one resolve message once the order moves on.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diagnoser } from '../../cli/runbooks-at-start.ts'
import { createNotifier, parseNotifyConfig } from '../../notify/index.ts'
import { checkRuleTexts, createRulesEngine } from '../../rules/index.ts'
import { checkRunbookTexts } from '../../triage/index.ts'
import { definitionFrom, insertEvents } from '../processes/kpis/business-events.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const MIN = 60_000
const T = Math.floor(Date.now() / MIN) * MIN - 30 * MIN
let opened: MigratedStore
let server: Server
let url = ''
const received: Array<Record<string, unknown>> = []

const definition = definitionFrom(`
name: orders_pipeline
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
`)

const RUNBOOK = `---
id: orders-stuck
applies_to:
  rules: [orders_stuck]
owner: order-desk
severity_guide:
  warning: look within the hour
last_reviewed: 2026-11-20
---
# Orders stuck

## Meaning
Orders wait after approval longer than their stage allows.

## Impact
Customers wait; cash comes later.

## Diagnosis
\`\`\`sql {name=oldest_waiting kind=diagnostic auto=true timeout=5s max_rows=5 title="Approved, not shipped"}
SELECT Keys['order'] AS order_id, toString(Ts) AS approved_at
FROM business_events WHERE Process = {process:String} AND Milestone = 'order.approved'
ORDER BY Ts LIMIT 10
\`\`\`

## Mitigation
Restart the WMS consumer.

## Verification
The alert resolves.

## Escalation
Page the WMS team after an hour.
`

beforeAll(async () => {
  opened = await openMigratedStore('alert_pipeline')
  server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      res.writeHead(204).end()
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await opened.close()
})

describe('the alert path', () => {
  it('sends one firing message with runbook, sample keys and diagnostics, then one resolve', async () => {
    const rules = checkRuleTexts(
      [
        {
          file: 'r.yaml',
          text: "group: g\nrules:\n  - id: orders_stuck\n    kind: stuck\n    process: orders_pipeline\n    runbook: orders-stuck\n    annotations:\n      summary: '{{ $value }} orders stuck'\n",
        },
      ],
      [definition],
    )
    const runbooks = checkRunbookTexts([{ file: 'runbooks/orders-stuck.md', text: RUNBOOK }])
    if (!rules.ok || !runbooks.ok) throw new Error('fixtures must load')
    await insertEvents(opened.store, definition, [
      { milestone: 'order.approved', atMs: T - 45 * MIN, keys: { order: 'O-1' }, system: 'CRM', attrs: { amount: '250.50' } },
      { milestone: 'order.approved', atMs: T - 40 * MIN, keys: { order: 'O-2' }, system: 'CRM', attrs: { amount: '100' } },
      { milestone: 'order.shipped', atMs: T - MIN, keys: { order: 'Z' }, system: 'WMS', observedMs: T - MIN },
    ])
    const sim = { now: T }
    const notifier = createNotifier({
      store: opened.store,
      config: parseNotifyConfig({
        route: { receiver: 'desk', group_wait: '1s', group_interval: '1m', repeat_interval: '4h' },
        receivers: [{ name: 'desk', webhook_configs: [{ url }] }],
        resolve_wait: '1s',
      }),
      clock: { now: () => sim.now },
    })
    const logger = pino({ level: 'silent' })
    const engine = await createRulesEngine({
      store: opened.store,
      rules: rules.rules,
      definitions: [definition],
      logger,
      links: { api: 'http://tl', runbooks: 'http://tl/api/v1/runbooks' },
      diagnose: diagnoser(opened.store, runbooks.runbooks, rules.rules, logger),
      notify: (alerts, nowMs) => notifier.update(alerts, nowMs),
      clock: () => sim.now,
    })
    for (let t = T; t <= T + 3 * MIN; t += MIN) {
      sim.now = t
      await engine.evaluate(t, { all: true })
      // group_wait is 1 s: the notifier's timer, run by hand on simulated time.
      sim.now = t + 1_000
      await notifier.tick(t + 1_000)
    }
    // Both orders ship; the next evaluations clear the alert.
    await insertEvents(opened.store, definition, [
      { milestone: 'order.shipped', atMs: T + 4 * MIN, keys: { order: 'O-1' }, system: 'WMS', observedMs: T + 4 * MIN },
      { milestone: 'order.shipped', atMs: T + 4 * MIN, keys: { order: 'O-2' }, system: 'WMS', observedMs: T + 4 * MIN },
    ])
    for (let t = T + 5 * MIN; t <= T + 7 * MIN; t += MIN) {
      sim.now = t
      await engine.evaluate(t, { all: true })
      sim.now = t + 1_000
      await notifier.tick(t + 1_000)
    }
    await notifier.close()

    expect(received.map((r) => [r.status, r.reason])).toEqual([
      ['firing', 'first'],
      ['resolved', 'all_resolved'],
    ])
    const [alert] = received[0]!.alerts as Array<Record<string, unknown>>
    expect(alert).toMatchObject({
      ruleId: 'orders_stuck',
      annotations: { summary: '2 orders stuck' },
      runbookUrl: 'http://tl/api/v1/runbooks/orders-stuck',
      impact: { instances: 2, valueAtRisk: [{ currency: 'EUR', amount: 350.5 }], sampleKeys: ['order=O-1', 'order=O-2'] },
    })
    expect(alert!.diagnostics).toMatchObject([
      { step: 'oldest_waiting', title: 'Approved, not shipped', truncated: false, rows: [{ order_id: 'O-1' }, { order_id: 'O-2' }] },
    ])
  })
})
