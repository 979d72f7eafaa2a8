// Alerts through the API: an alert the engine raised from business events, its timeline,
// ack and comment, silences, the rules with their last evaluation, MTTA/MTTR; bad input.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { checkRuleTexts, createRulesEngine, type RulesEngine } from '../../rules/index.ts'
import { queryRows } from '../../store/index.ts'
import { checkRunbookTexts } from '../../triage/index.ts'
import { definitionFrom, insertEvents } from '../processes/kpis/business-events.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let api: FastifyInstance
let engine: RulesEngine
let fingerprint = ''
const MIN = 60_000
// Recent times: the silence and MTTA checks run against the real clock.
const T = Math.floor(Date.now() / MIN) * MIN - 60 * MIN

const definition = definitionFrom(`
name: orders_api_alerts
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
`)

const RUNBOOK = `---
id: orders_stuck
applies_to:
  rules: [orders_stuck]
owner: order-desk
severity_guide:
  critical: page the WMS team
last_reviewed: 2026-11-29
---
# Orders stuck

## Meaning
Orders wait after approval longer than their stage allows.

## Impact
Customers wait.

## Diagnosis
\`\`\`sql {name=oldest_waiting kind=diagnostic auto=true timeout=5s max_rows=5 title="Approved, not shipped"}
SELECT Keys['order'] AS order_id FROM business_events WHERE Process = {process:String} ORDER BY Ts LIMIT 5
\`\`\`

## Mitigation
\`\`\`sql {name=count_events kind=action timeout=5s title="Count the process's events"}
SELECT count() FROM business_events WHERE Process = {process:String}
\`\`\`

\`\`\`sh {name=restart_consumer kind=action timeout=1m title="Restart the WMS consumer"}
systemctl restart wms-consumer
\`\`\`

## Verification
The alert resolves.

## Escalation
Page the WMS team after an hour.
`

beforeAll(async () => {
  opened = await openMigratedStore('api_alerts')
  const runbooks = checkRunbookTexts([{ file: 'runbooks/orders_stuck.md', text: RUNBOOK }])
  if (!runbooks.ok) throw new Error(JSON.stringify(runbooks.problems))
  const load = checkRuleTexts(
    [
      {
        file: 'alert-rules/api.yaml',
        text: "group: orders\nrules:\n  - id: orders_stuck\n    kind: stuck\n    process: orders_api_alerts\n    severity: critical\n    annotations:\n      summary: '{{ $value }} orders stuck'\n",
      },
    ],
    [definition],
  )
  if (!load.ok) throw new Error(JSON.stringify(load.problems))
  await insertEvents(opened.store, definition, [
    { milestone: 'order.approved', atMs: T - 45 * MIN, keys: { order: 'S1' }, system: 'CRM' },
    { milestone: 'order.shipped', atMs: T - MIN, keys: { order: 'Z1' }, system: 'WMS', observedMs: T - MIN },
  ])
  engine = await createRulesEngine({
    store: opened.store,
    rules: load.rules,
    definitions: [definition],
    logger: pino({ level: 'silent' }),
    links: { api: 'http://x', runbooks: 'http://x/rb' },
  })
  await engine.evaluate(T, { all: true })
  api = await buildApiApp({
    store: opened.store,
    logger: pino({ level: 'silent' }),
    definitions: [definition],
    rules: load.rules,
    runbooks: runbooks.runbooks,
    lastRuleRuns: () => engine.lastRuns(),
  })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

describe('GET /api/v1/alerts', () => {
  it('lists the firing alert with its summary, impact start and state', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/v1/alerts' })
    expect(res.statusCode).toBe(200)
    const body = res.json<{ total: number; alerts: Array<Record<string, unknown>> }>()
    expect(body.total).toBe(1)
    expect(body.alerts[0]).toMatchObject({
      ruleId: 'orders_stuck',
      state: 'firing',
      summary: '1 orders stuck',
      impactStart: new Date(T - 15 * MIN).toISOString(),
      labels: { alertname: 'orders_stuck', process: 'orders_api_alerts' },
      acknowledged: false,
    })
    fingerprint = body.alerts[0]!.fingerprint as string
    const none = await api.inject({ method: 'GET', url: '/api/v1/alerts?state=resolved' })
    expect(none.json()).toMatchObject({ total: 0, alerts: [] })
  })

  it('shows one alert with its timeline, and takes an ack and a comment by an operator', async () => {
    const ack = await api.inject({ method: 'POST', url: `/api/v1/alerts/${fingerprint}/ack`, payload: { actor: 'ana', comment: 'looking' } })
    expect(ack.statusCode).toBe(204)
    const res = await api.inject({ method: 'GET', url: `/api/v1/alerts/${fingerprint}` })
    expect(res.statusCode).toBe(200)
    const body = res.json<{
      alert: { acknowledged: boolean }
      transitions: Array<{ from: string; to: string }>
      actions: Array<{ action: string; actor: string }>
    }>()
    expect(body.alert.acknowledged).toBe(true)
    expect(body.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['inactive->firing'])
    expect(body.actions).toMatchObject([{ action: 'ack', actor: 'ana' }])
  })

  it('answers 404 for an unknown alert and 400 for a malformed one or an action without actor', async () => {
    expect((await api.inject({ method: 'GET', url: '/api/v1/alerts/0123456789abcdef' })).statusCode).toBe(404)
    expect((await api.inject({ method: 'GET', url: '/api/v1/alerts/nope' })).statusCode).toBe(400)
    const noActor = await api.inject({ method: 'POST', url: `/api/v1/alerts/${fingerprint}/ack`, payload: {} })
    expect(noActor.statusCode).toBe(400)
    expect(noActor.json<{ message: string }>().message).toContain('actor')
    const emptyComment = await api.inject({ method: 'POST', url: `/api/v1/alerts/${fingerprint}/comment`, payload: { actor: 'ana' } })
    expect(emptyComment.json()).toEqual({ code: 'TL_BAD_REQUEST', message: 'comment: required for a comment' })
  })
})

describe('silences', () => {
  it('are created with a reason, listed while active, and expired', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString()
    const created = await api.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: [{ name: 'alertname', value: 'orders_stuck' }], endsAt, createdBy: 'ana', comment: 'maintenance window' },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json<{ id: string }>().id
    const listed = await api.inject({ method: 'GET', url: '/api/v1/silences' })
    expect(listed.json<{ silences: Array<{ id: string; matchers: unknown }> }>().silences).toMatchObject([
      { id, matchers: [{ name: 'alertname', value: 'orders_stuck', isRegex: false, isEqual: true }] },
    ])
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/silences/${id}?actor=ana` })).statusCode).toBe(204)
    expect((await api.inject({ method: 'GET', url: '/api/v1/silences' })).json()).toEqual({ silences: [] })
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/silences/${id}?actor=ana` })).statusCode).toBe(404)
  })

  it('refuses one that ends before it starts, has a bad regex or no reason, naming the field', async () => {
    const base = { matchers: [{ name: 'alertname', value: 'x' }], createdBy: 'ana', comment: 'why' }
    const past = await api.inject({ method: 'POST', url: '/api/v1/silences', payload: { ...base, endsAt: '2020-01-01T00:00:00Z' } })
    expect(past.json()).toEqual({ code: 'TL_BAD_REQUEST', message: 'endsAt: must be after startsAt' })
    const regex = await api.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { ...base, matchers: [{ name: 'alertname', value: '(', isRegex: true }], endsAt: new Date(Date.now() + 60_000).toISOString() },
    })
    expect(regex.json<{ message: string }>().message).toBe('matchers[0].value: not a regular expression: "("')
    const noReason = await api.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { ...base, comment: '', endsAt: new Date(Date.now() + 60_000).toISOString() },
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.json<{ message: string }>().message).toContain('comment')
  })
})

describe('rules and alert KPIs', () => {
  it('lists the rules with their last evaluation, and MTTA per rule and month', async () => {
    const rules = await api.inject({ method: 'GET', url: '/api/v1/rules' })
    expect(rules.json()).toMatchObject({
      rules: [
        {
          id: 'orders_stuck',
          kind: 'stuck',
          severity: 'critical',
          source: 'alert-rules/api.yaml:3',
          lastEvaluation: { at: new Date(T).toISOString(), samples: 1, error: null },
        },
      ],
    })
    const kpis = await api.inject({ method: 'GET', url: '/api/v1/alerts/kpis' })
    expect(kpis.statusCode).toBe(200)
    const row = kpis.json<{
      rules: Array<{ ruleId: string; episodes: number; acknowledged: number; mttaSeconds: number; resolved: number; mttrSeconds: number | null }>
    }>().rules[0]
    expect(row).toMatchObject({ ruleId: 'orders_stuck', episodes: 1, acknowledged: 1, resolved: 0, mttrSeconds: null })
    expect(row!.mttaSeconds).toBeGreaterThanOrEqual(0)
  })
})

describe('POST /api/v1/alerts/:fingerprint/actions/:step', () => {
  const run = (step: string, body: Record<string, unknown>, fp = fingerprint) =>
    api.inject({ method: 'POST', url: `/api/v1/alerts/${fp}/actions/${step}`, payload: body })

  it("runs an action step of the alert's runbook for the operator named, and records it before and after", async () => {
    const res = await run('count_events', { actor: 'ops', comment: 'checking the backlog' })
    expect(res.statusCode).toBe(200)
    const result = res.json<{ runId: string; status: string; durationMs: number }>()
    expect(result).toMatchObject({ status: 'succeeded' })
    const rows = await queryRows<{ Actor: string; Text: string; Details: string }>(
      opened.store,
      "SELECT Actor, Text, Details FROM alert_actions WHERE Action = 'run_action' AND Fingerprint = {fp:String} ORDER BY At",
      { fp: fingerprint },
      { tag: 'test.actions' },
    )
    const details = rows.map((r) => JSON.parse(r.Details) as { runId: string; status: string; step: string; params?: Record<string, string> })
    expect(rows.map((r) => [r.Actor, r.Text])).toEqual([
      ['ops', 'checking the backlog'],
      ['ops', 'checking the backlog'],
    ])
    expect(details.map((d) => [d.runId, d.step, d.status])).toEqual([
      [result.runId, 'count_events', 'started'],
      [result.runId, 'count_events', 'succeeded'],
    ])
    expect(details[0]?.params).toEqual({ process: 'orders_api_alerts' })
  })

  it.each([
    ['restart_consumer', { actor: 'ops' }, undefined, 400, 'no executor runs sh actions'],
    ['oldest_waiting', { actor: 'ops' }, undefined, 400, 'not an action'],
    ['no_such_step', { actor: 'ops' }, undefined, 404, "no step named 'no_such_step'"],
    ['count_events', {}, undefined, 400, 'actor'],
    ['count_events', { actor: 'ops' }, '0000000000000000', 404, 'no alert 0000000000000000'],
    ['Bad-Step', { actor: 'ops' }, undefined, 400, 'step'],
  ])('refuses %s %j (fingerprint %s) with %i naming the problem', async (step, body, fp, status, message) => {
    const res = await run(step, body, fp ?? fingerprint)
    expect(res.statusCode).toBe(status)
    expect(res.json<{ message: string }>().message).toContain(message)
  })
})
