// Incident review reports on chDB: a real episode driven through the real engine, notifier
// (a loopback webhook), runbook diagnostics and an operator's ack, told back as a timeline
// with hand-checked durations, MTTA/MTTR and business impact; an episode written row by row
// that flapped, was silenced and resolved on late data, with hostile label values that the
// Markdown and HTML must show as text; and the period report.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNotifier, parseNotifyConfig, saveSilence } from '../../notify/index.ts'
import {
  checkRuleTexts,
  createRulesEngine,
  incidentReport,
  incidentsReport,
  renderReport,
  type IncidentReport,
  type ReportContext,
  type Rule,
} from '../../rules/index.ts'
import { insertJsonEachRow } from '../../store/index.ts'
import { checkRunbookTexts, runbookForAlert, runDiagnostics, type Runbook } from '../../triage/index.ts'
import { definitionFrom, insertEvents, ms } from '../processes/kpis/business-events.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const MIN = 60_000
const T = ms('2026-11-12T10:00:00Z')
let opened: MigratedStore
let server: Server
let url = ''
let rules: Rule[] = []
let runbooks: Runbook[] = []
let report: IncidentReport
let fingerprint = ''

const definition = definitionFrom(`
name: orders_report
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
slas:
  - { name: ship_in_40m, from: order.approved, to: order.shipped, target: 40m }
value:
  attribute: amount
  currency: EUR
`)

const RUNBOOK = `---
id: orders-stuck
applies_to:
  rules: [orders_stuck_report]
owner: order-desk
severity_guide:
  critical: look now
last_reviewed: 2026-11-20
---
# Orders stuck after approval

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

const context = (): ReportContext => ({
  rules,
  definitions: [definition],
  baseUrl: 'http://tl',
  now: () => T + 60 * MIN,
  runbookOf: (alert) => {
    const runbook = runbookForAlert(runbooks, alert)
    return runbook === undefined
      ? undefined
      : {
          id: runbook.id,
          title: runbook.title,
          url: `http://tl/api/v1/runbooks/${runbook.id}?format=html`,
          stepTitles: { oldest_waiting: 'Approved, not shipped' },
        }
  },
})

const dateTime = (atMs: number): string => new Date(atMs).toISOString().replace('T', ' ').replace('Z', '')

beforeAll(async () => {
  opened = await openMigratedStore('rules_reports')
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(204).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`
  const load = checkRuleTexts(
    [
      {
        file: 'alert-rules/report.yaml',
        text: `group: orders
interval: 1m
rules:
  - id: orders_stuck_report
    kind: stuck
    process: orders_report
    for: 2m
    keep_firing_for: 2m
    severity: critical
    owner: order-desk
    runbook: orders-stuck
    labels: { team: orders }
    annotations:
      summary: '{{ $value }} orders stuck'
`,
      },
    ],
    [definition],
  )
  const books = checkRunbookTexts([{ file: 'runbooks/orders-stuck.md', text: RUNBOOK }])
  if (!load.ok || !books.ok) throw new Error('fixtures must load')
  rules = [...load.rules]
  runbooks = [...books.runbooks]

  // O-1 (250.50 EUR) and O-2 (100 EUR) approved 45 and 40 min before T: past the 30 min stage
  // threshold since T-15m and T-10m. Z keeps the WMS watermark fresh (its silence is not late data).
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
  const engine = await createRulesEngine({
    store: opened.store,
    rules,
    definitions: [definition],
    logger: pino({ level: 'silent' }),
    links: { api: 'http://tl', runbooks: 'http://tl/api/v1/runbooks' },
    diagnose: async (alert, phase) => {
      const runbook = runbookForAlert(runbooks, { ruleId: alert.ruleId, labels: alert.labels, runbook: 'orders-stuck' })
      if (runbook === undefined) return []
      const window = { windowStart: alert.startsAt, windowEnd: alert.resolvedAt ?? new Date(sim.now).toISOString(), firedAt: alert.firedAt }
      return runDiagnostics(
        opened.store,
        runbook,
        { ruleId: alert.ruleId, fingerprint: alert.fingerprint, episodeId: alert.episodeId, labels: alert.labels, ...window },
        phase,
        {
          now: () => sim.now,
        },
      )
    },
    notify: (alerts, nowMs) => notifier.update(alerts, nowMs),
    clock: () => sim.now,
  })
  for (let t = T; t <= T + 9 * MIN; t += MIN) {
    sim.now = t
    // The operator acknowledges at T+5m and comments at T+6m (rows as the API writes them, at
    // chosen times), before that cycle's evaluation reads the acknowledgements.
    if (t === T + 5 * MIN || t === T + 6 * MIN) {
      const record = engine.alerts()[0]?.record
      const action = t === T + 5 * MIN ? { Action: 'ack', Text: '' } : { Action: 'comment', Text: 'WMS consumer restarted' }
      const row = { At: dateTime(t), Actor: 'maria', Fingerprint: record?.fingerprint, EpisodeId: record?.episodeId, SilenceId: '', Details: '', ...action }
      await insertJsonEachRow(opened.store, 'alert_actions', `${JSON.stringify(row)}\n`, { tag: 'test.action' })
    }
    await engine.evaluate(t, { all: true })
    fingerprint ||= engine.alerts()[0]?.record.fingerprint ?? ''
    if (t === T + 6 * MIN) {
      // Both orders ship at T+6m30s; the evaluation at T+7m sees the condition cleared.
      await insertEvents(opened.store, definition, [
        { milestone: 'order.shipped', atMs: T + 6.5 * MIN, keys: { order: 'O-1' }, system: 'WMS', observedMs: T + 6.5 * MIN },
        { milestone: 'order.shipped', atMs: T + 6.5 * MIN, keys: { order: 'O-2' }, system: 'WMS', observedMs: T + 6.5 * MIN },
      ])
    }
    sim.now = t + 1_000
    await notifier.tick(t + 1_000)
  }
  await notifier.close()
  report = await incidentReport(opened.store, fingerprint, String(T - 15 * MIN), context())
}, 240_000)

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await opened.close()
})

const iso = (atMs: number): string => new Date(atMs).toISOString()

describe('the incident report of an episode driven through the engine', () => {
  it('names the rule, severity, process and status, and gives the key times on the engine clock', () => {
    expect(report).toMatchObject({
      // The summary as the firing message said it, not the resolved record's latest one.
      title: 'CRITICAL orders_stuck_report: 2 orders stuck',
      episodeId: `${fingerprint}@${T - 15 * MIN}`,
      status: 'resolved',
      rule: { id: 'orders_stuck_report', kind: 'stuck', severity: 'critical', owner: 'order-desk', forSeconds: 120, keepFiringForSeconds: 120 },
      process: 'orders_report',
      labels: { team: 'orders' },
    })
    // The impact began when O-1 crossed its threshold (T-45m + 30m); pending at the first
    // evaluation (T), firing after `for` (T+2m); the group_wait of 1 s puts the first message
    // at T+2m+1s; ack at T+5m; both orders shipped at T+6m30s, so T+7m sees OK (recovering) and,
    // keep_firing_for 2m later, T+9m resolves.
    expect(report.times).toEqual({
      impactStart: iso(T - 15 * MIN),
      pendingSince: iso(T),
      firedAt: iso(T + 2 * MIN),
      firstNotifiedAt: iso(T + 2 * MIN + 1000),
      acknowledgedAt: iso(T + 5 * MIN),
      conditionClearedAt: iso(T + 7 * MIN),
      resolvedAt: iso(T + 9 * MIN),
      resolveReason: 'recovered',
    })
  })

  it('measures detect, notify, acknowledge, resolve and impact in seconds', () => {
    expect(report.durations).toEqual({
      timeToDetectSeconds: 17 * 60, // T-15m -> T+2m
      timeToNotifySeconds: 17 * 60 + 1, // T-15m -> T+2m+1s
      timeToAcknowledgeSeconds: 3 * 60, // T+2m -> T+5m
      timeToResolveSeconds: 7 * 60, // T+2m -> T+9m
      impactDurationSeconds: 22 * 60, // T-15m -> T+7m
      clearedToResolvedSeconds: 2 * 60, // T+7m -> T+9m (keep_firing_for)
    })
    expect(report.flaps).toBe(0)
  })

  it('tells the episode in time order: impact, pending, firing, diagnostics, messages, ack, comment, cleared, resolved', () => {
    expect(report.timeline.map((e) => [e.at, e.kind, e.who])).toEqual([
      [iso(T - 15 * MIN), 'impact_start', ''],
      [iso(T), 'pending', ''],
      [iso(T + 2 * MIN), 'firing', ''],
      [iso(T + 2 * MIN), 'diagnostics', ''],
      [iso(T + 2 * MIN + 1000), 'notification', 'desk'],
      [iso(T + 5 * MIN), 'ack', 'maria'],
      [iso(T + 5 * MIN + 1000), 'notification', 'desk'],
      [iso(T + 6 * MIN), 'comment', 'maria'],
      [iso(T + 7 * MIN), 'condition_cleared', ''],
      [iso(T + 9 * MIN), 'resolved', ''],
      [iso(T + 9 * MIN), 'diagnostics', ''],
      [iso(T + 9 * MIN + 1000), 'notification', 'desk'],
    ])
    // first, the ack as an in-place update, then the resolve: each with its reason.
    expect(report.notifications.map((n) => [n.receiver, n.channel, n.reason, n.status])).toEqual([
      ['desk', 'webhook#0', 'first', 'delivered'],
      ['desk', 'webhook#0', 'update', 'delivered'],
      ['desk', 'webhook#0', 'all_resolved', 'delivered'],
    ])
    expect(report.timeline.find((e) => e.kind === 'resolved')?.details).toContain('reason recovered')
    expect(report.timeline.find((e) => e.kind === 'comment')?.details).toBe('WMS consumer restarted')
    expect(report.timeline.find((e) => e.kind === 'notification')?.details).toBe('first via webhook#0: delivered')
  })

  it('counts the business impact with the KPI functions: 2 instances, 350.50 EUR, both SLA deadlines missed', () => {
    expect(report.impact).toMatchObject({
      process: 'orders_report',
      window: { from: iso(T - 15 * MIN), to: iso(T + 7 * MIN) },
      // Stuck at T+2m: O-1 (47 min idle) and O-2 (42 min), 250.50 + 100 EUR.
      instancesAffected: 2,
      valueAtRisk: [{ currency: 'EUR', amount: 350.5 }],
      sampleKeys: ['order=O-1', 'order=O-2'],
      stuckAtFiring: { stuck: 2, valueAtRisk: [{ currency: 'EUR', amount: 350.5 }], sampleKeys: ['order=O-1', 'order=O-2'] },
      // Deadlines T-5m and T (approval + 40m) fall in the window; both shipped at T+6m30s: breached.
      slaBreaches: [{ sla: 'ship_in_40m', due: 2, met: 0, breached: 2, breachedOpen: 0, sampleKeys: ['order=O-1', 'order=O-2'] }],
      // What the firing message carried (the record's latest evaluation says 0 once resolved).
      reported: { instances: 2, valueAtRisk: [{ currency: 'EUR', amount: 350.5 }], sampleKeys: ['order=O-1', 'order=O-2'] },
    })
  })

  it('links the runbook and carries its diagnostics from firing and from resolving as tables', () => {
    expect(report.runbook).toEqual({ id: 'orders-stuck', title: 'Orders stuck after approval', url: 'http://tl/api/v1/runbooks/orders-stuck?format=html' })
    for (const phase of ['fired', 'resolved'] as const) {
      expect(report.diagnostics[phase]).toMatchObject([
        { step: 'oldest_waiting', title: 'Approved, not shipped', error: '', truncated: false, rows: [{ order_id: 'O-1' }, { order_id: 'O-2' }] },
      ])
    }
    const markdown = renderReport(report, 'md').body
    expect(markdown).toContain('#### Approved, not shipped (oldest\\_waiting)')
    expect(markdown).toContain('| order\\_id | approved\\_at |\n| --- | --- |\n| O-1 | 2026-11-12 09:15:00.000000000 |')
    expect(markdown).toContain('[Orders stuck after approval](<http://tl/api/v1/runbooks/orders-stuck?format=html>)')
  })

  it('asks to review the slow detection (the engine saw the stuck orders only at its first evaluation), and nothing else', () => {
    // 17 min > for (2 min) + 2 intervals (2 min); acknowledged after 3 min, within 5 min for critical.
    expect(report.review.map((p) => p.kind)).toEqual(['slow_detection'])
  })
})

describe('an episode that flapped, was silenced and resolved on late data, with hostile label values', () => {
  const S = ms('2026-11-13T08:00:00Z')
  const FP = 'abcdef0123456789'
  const EPISODE = `${FP}@${S}`
  const labels = {
    integration: '<script>alert(1)</script>',
    note: '[click](javascript:alert(1)) | ![x](http://evil.example/x.png) <img src=x onerror=alert(1)>',
  }
  let edge: IncidentReport

  beforeAll(async () => {
    const transition = (atMs: number, from: string, to: string, reason: string): string =>
      JSON.stringify({
        At: dateTime(atMs),
        Fingerprint: FP,
        EpisodeId: EPISODE,
        RuleId: 'edge_rule',
        Labels: labels,
        FromState: from,
        ToState: to,
        Reason: reason,
        EventTimeMs: atMs,
        Value: 0.4,
        Details: 'error rate 0.4',
      })
    const rows = [
      transition(S, 'inactive', 'firing', 'breach'),
      transition(S + MIN, 'firing', 'recovering', 'condition_cleared'),
      transition(S + 2 * MIN, 'recovering', 'firing', 'breach_again'),
      transition(S + 3 * MIN, 'firing', 'recovering', 'condition_cleared'),
      transition(S + 5 * MIN, 'recovering', 'resolved', 'late_data'),
    ]
    await insertJsonEachRow(opened.store, 'alert_transitions', `${rows.join('\n')}\n`, { tag: 'test.transitions' })
    const state = {
      Fingerprint: FP,
      RuleId: 'edge_rule',
      Labels: labels,
      State: 'resolved',
      EpisodeId: EPISODE,
      ImpactStartMs: S,
      PendingSinceMs: 0,
      FiringSinceMs: S + 2 * MIN,
      RecoveringSinceMs: S + 3 * MIN,
      ConditionClearedMs: S + 3 * MIN,
      ResolvedMs: S + 5 * MIN,
      ResolveReason: 'late_data',
      UnknownSinceMs: 0,
      LastResult: 'ok',
      LastValue: 0,
      LastEvaluatedMs: S + 5 * MIN,
      Details: JSON.stringify({
        summary: '<script>alert("title")</script>',
        impact: { instances: 3, valueAtRisk: [{ currency: 'EUR', amount: 12.5 }], sampleKeys: ['order=<x>'] },
      }),
      Version: 1,
    }
    await insertJsonEachRow(opened.store, 'alert_states', `${JSON.stringify(state)}\n`, { tag: 'test.state' })
    const diagnostic = {
      At: dateTime(S),
      EpisodeId: EPISODE,
      Fingerprint: FP,
      Runbook: 'none',
      Step: 'probe',
      Phase: 'fired',
      Rows: JSON.stringify([{ cell: '<script>steal()</script>', pipe: 'a|b', n: 1 }]),
      Truncated: false,
      Error: '',
      DurationMs: 3,
    }
    await insertJsonEachRow(opened.store, 'alert_diagnostics', `${JSON.stringify(diagnostic)}\n`, { tag: 'test.diagnostic' })
    // One silence matches the alert while it fires; the other names another alert.
    const matcher = (value: string) => [{ name: 'alertname', value, isRegex: false, isEqual: true }]
    await saveSilence(opened.store, {
      id: 'sil-1',
      matchers: matcher('edge_rule'),
      startsAtMs: S + 30_000,
      endsAtMs: S + 90_000,
      createdBy: 'ops',
      comment: 'maintenance <b>now</b>',
    })
    await saveSilence(opened.store, { id: 'sil-2', matchers: matcher('other_rule'), startsAtMs: S, endsAtMs: S + 10 * MIN, createdBy: 'ops', comment: 'other' })
    edge = await incidentReport(opened.store, FP, new Date(S).toISOString(), context())
  }, 60_000)

  it('counts the flap, takes the condition-cleared time of the last recovery, and gives the late-data resolution', () => {
    expect(edge).toMatchObject({
      status: 'resolved',
      flaps: 1,
      rule: { id: 'edge_rule', kind: null, severity: 'warning' },
      integration: '<script>alert(1)</script>',
    })
    expect(edge.times).toEqual({
      impactStart: iso(S),
      pendingSince: null,
      firedAt: iso(S),
      firstNotifiedAt: null,
      acknowledgedAt: null,
      conditionClearedAt: iso(S + 3 * MIN),
      resolvedAt: iso(S + 5 * MIN),
      resolveReason: 'late_data',
    })
    // Fired at once (for 0): detect 0 s; cleared S+3m: impact 180 s; resolved S+5m: 300 s, 120 s after clearing.
    expect(edge.durations).toEqual({
      timeToDetectSeconds: 0,
      timeToNotifySeconds: null,
      timeToAcknowledgeSeconds: null,
      timeToResolveSeconds: 300,
      impactDurationSeconds: 180,
      clearedToResolvedSeconds: 120,
    })
    expect(edge.timeline.map((e) => [e.at, e.kind])).toEqual([
      [iso(S), 'impact_start'],
      [iso(S), 'firing'],
      [iso(S), 'diagnostics'],
      [iso(S + 30_000), 'silence_start'],
      [iso(S + MIN), 'condition_cleared'],
      [iso(S + 90_000), 'silence_end'],
      [iso(S + 2 * MIN), 'firing_again'],
      [iso(S + 3 * MIN), 'condition_cleared'],
      [iso(S + 5 * MIN), 'resolved'],
    ])
  })

  it('shows the impact the alert reported when the rule watches no process', () => {
    expect(edge.impact).toMatchObject({
      process: null,
      instancesAffected: 3,
      valueAtRisk: [{ currency: 'EUR', amount: 12.5 }],
      sampleKeys: ['order=<x>'],
      slaBreaches: [],
    })
  })

  it('asks to review the flapping, the silence that muted it, the missing notification and runbook, and the false alarm', () => {
    expect(edge.silences.map((s) => s.id)).toEqual(['sil-1'])
    expect(edge.review.map((p) => p.kind)).toEqual(['flapping', 'silenced', 'no_notification', 'no_runbook', 'resolved_without_recovery'])
    expect(edge.review.find((p) => p.kind === 'resolved_without_recovery')?.message).toContain('false alarm')
  })

  it('keeps the Markdown tables well formed whatever the labels hold', () => {
    const markdown = renderReport(edge, 'md').body
    const unescapedPipes = (line: string): number => (line.match(/(?<!\\)\|/g) ?? []).length
    const labelsRow = markdown.split('\n').find((line) => line.startsWith('| Labels |'))
    expect(unescapedPipes(labelsRow ?? '')).toBe(3)
    expect(labelsRow).toContain('\\[click\\](javascript:alert(1)) \\| \\!\\[x\\]')
    const cellRow = markdown.split('\n').find((line) => line.includes('steal'))
    expect(cellRow).toBe('| \\<script\\>steal()\\</script\\> | a\\|b | 1 |')
  })

  it('renders HTML in which no label, summary, comment or diagnostic value becomes markup', () => {
    const html = renderReport(edge, 'html').body
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('<title>Incident review: WARNING edge_rule: &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;</title>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;script&gt;steal()&lt;/script&gt;')
    expect(html).toContain('maintenance &lt;b&gt;now&lt;/b&gt;')
    for (const markup of ['<script', '<img', '<b>', 'href="javascript', 'src="http://evil', 'href="http://evil']) expect(html).not.toContain(markup)
    // The tables are tables: the label row has exactly its two cells.
    expect(html).toMatch(/<tr>\s*<td>Labels<\/td>\s*<td>[^<]*<\/td>\s*<\/tr>/)
  })

  it('answers 404 naming the episodes there are for a start that is none, and 400 for a malformed fingerprint or start', async () => {
    await expect(incidentReport(opened.store, FP, String(S + 1), context())).rejects.toMatchObject({
      statusCode: 404,
      code: 'TL_NOT_FOUND',
      message: `start: alert ${FP} has no episode starting at ${iso(S + 1)}; its episodes start at ${iso(S)} (${S})`,
    })
    await expect(incidentReport(opened.store, FP, 'yesterday', context())).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('start: expected an RFC 3339 time'),
    })
    await expect(incidentReport(opened.store, 'XYZ', String(S), context())).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('fingerprint: expected 16 hex digits'),
    })
  })
})

describe('the incidents of a period', () => {
  it('lists every episode that fired with its MTTA and MTTR, and K11 per rule, per process and in total', async () => {
    const period = await incidentsReport(opened.store, { from: iso(T - 60 * MIN), to: '2026-11-14T00:00:00Z' }, context())
    // orders_stuck_report: fired T+2m, acked T+5m (180 s), resolved T+9m (420 s).
    // edge_rule: fired S, never acked, resolved S+5m (300 s). Total MTTR (420 + 300) / 2 = 360 s.
    expect(period.totals).toEqual({ episodes: 2, acknowledged: 1, mttaSeconds: 180, resolved: 2, mttrSeconds: 360 })
    expect(period.rules).toEqual([
      { ruleId: 'edge_rule', process: null, episodes: 1, acknowledged: 0, mttaSeconds: null, resolved: 1, mttrSeconds: 300 },
      { ruleId: 'orders_stuck_report', process: 'orders_report', episodes: 1, acknowledged: 1, mttaSeconds: 180, resolved: 1, mttrSeconds: 420 },
    ])
    expect(period.processes).toEqual([{ process: 'orders_report', episodes: 1, acknowledged: 1, mttaSeconds: 180, resolved: 1, mttrSeconds: 420 }])
    expect(period.episodes.map((e) => [e.ruleId, e.firedAt, e.timeToAcknowledgeSeconds, e.timeToResolveSeconds, e.resolveReason, e.report])).toEqual([
      ['orders_stuck_report', iso(T + 2 * MIN), 180, 420, 'recovered', `http://tl/api/v1/alerts/${fingerprint}/episodes/${T - 15 * MIN}/report`],
      [
        'edge_rule',
        iso(ms('2026-11-13T08:00:00Z')),
        null,
        300,
        'late_data',
        `http://tl/api/v1/alerts/abcdef0123456789/episodes/${ms('2026-11-13T08:00:00Z')}/report`,
      ],
    ])
    const markdown = renderReport(period, 'md').body
    expect(markdown).toContain('| 2 | 1 | 3 min (180 s) | 2 | 6 min (360 s) |')
    // A window that ends before the second episode fired holds only the first.
    const first = await incidentsReport(opened.store, { from: String(T), to: String(T + 60 * MIN) }, context())
    expect(first.episodes.map((e) => e.ruleId)).toEqual(['orders_stuck_report'])
    await expect(incidentsReport(opened.store, { from: String(T), to: String(T) }, context())).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('from: must be before to'),
    })
  })
})
