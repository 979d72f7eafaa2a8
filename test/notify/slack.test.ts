// The notifier end to end on simulated time, with the real @slack/web-api client talking to a
// loopback server that implements the Slack Web API methods it uses (chat.postMessage,
// chat.update, conversations.history/replies; form bodies, ok/ts answers, 429 with
// Retry-After, 500s, and a connection dropped after the message was taken). The store is a
// real embedded ClickHouse. Covers the send decisions and their timing, the one-thread
// episode, acknowledgement, silences, inhibition, time windows, retries and restarts.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createNotifier, parseNotifyConfig, saveSilence, type Alert, type Notifier } from '../../notify/index.ts'
import { command, queryRows } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const SEC = 1_000
const MIN = 60_000
const at = (m: number, s = 0): number => T0 + m * MIN + s * SEC
const iso = (ms: number): string => new Date(ms).toISOString()
const sim = { now: T0 }

// --- a loopback Slack Web API -------------------------------------------------------------

interface PostedMessage {
  readonly channel: string
  readonly ts: string
  readonly threadTs: string | undefined
  readonly text: string
  blocks: unknown[]
  readonly metadata: { event_type: string; event_payload: Record<string, unknown> } | undefined
  readonly broadcast: boolean
  readonly postedAt: number
  readonly updates: number[]
}

type Fault = { readonly status: number; readonly retryAfter?: number } | 'drop-after-accept'

interface SlackApi {
  readonly url: string
  readonly messages: PostedMessage[]
  readonly calls: Array<{ method: string; at: number }>
  readonly faults: Fault[]
  close(): Promise<void>
}

async function formOrJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks).toString('utf8')
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(body) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [k, v] of new URLSearchParams(body)) out[k] = k === 'blocks' || k === 'metadata' ? JSON.parse(v) : v
  return out
}

async function startSlackApi(): Promise<SlackApi> {
  const messages: PostedMessage[] = []
  const calls: Array<{ method: string; at: number }> = []
  const faults: Fault[] = []
  let counter = 0
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').replace(/^\/api\//, '')
      const p = await formOrJson(req)
      calls.push({ method, at: sim.now })
      const reply = (body: unknown, status = 200, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
      }
      if (req.headers.authorization !== 'Bearer xoxb-test') return reply({ ok: false, error: 'not_authed' })
      const str = (k: string): string => {
        const v = p[k]
        return typeof v === 'string' ? v : ''
      }
      if (method === 'chat.postMessage') {
        const fault = faults.shift()
        if (fault !== undefined && fault !== 'drop-after-accept') {
          return reply({ ok: false, error: 'fault' }, fault.status, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) })
        }
        const ts = `${Math.floor(sim.now / 1000)}.${String(++counter).padStart(6, '0')}`
        const threadTs = str('thread_ts') || undefined
        messages.push({
          channel: str('channel'),
          ts,
          threadTs,
          text: str('text'),
          blocks: (p.blocks as unknown[] | undefined) ?? [],
          metadata: p.metadata as PostedMessage['metadata'],
          broadcast: p.reply_broadcast === 'true' || p.reply_broadcast === true,
          postedAt: sim.now,
          updates: [],
        })
        if (fault === 'drop-after-accept') return void res.socket?.destroy()
        return reply({ ok: true, channel: str('channel'), ts, message: { text: str('text'), ts } })
      }
      if (method === 'chat.update') {
        const m = messages.find((x) => x.channel === str('channel') && x.ts === str('ts'))
        if (m === undefined) return reply({ ok: false, error: 'message_not_found' })
        m.blocks = (p.blocks as unknown[] | undefined) ?? []
        m.updates.push(sim.now)
        return reply({ ok: true, channel: m.channel, ts: m.ts, text: str('text') })
      }
      const withMeta = (m: PostedMessage) => ({
        ts: m.ts,
        text: m.text,
        thread_ts: m.threadTs,
        ...(p.include_all_metadata === 'true' ? { metadata: m.metadata } : {}),
      })
      if (method === 'conversations.history') {
        const oldest = Number(str('oldest') || '0')
        const top = messages.filter((m) => m.channel === str('channel') && m.threadTs === undefined && Number(m.ts) >= oldest)
        return reply({ ok: true, messages: top.reverse().map(withMeta), has_more: false })
      }
      if (method === 'conversations.replies') {
        const thread = messages.filter((m) => m.channel === str('channel') && (m.ts === str('ts') || m.threadTs === str('ts')))
        return reply({ ok: true, messages: thread.map(withMeta), has_more: false })
      }
      reply({ ok: false, error: 'unknown_method' })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    calls,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

// --- alerts and the notifier ----------------------------------------------------------------

const SAMPLE_ORDERS = ['order_id=O-1001', 'order_id=O-1002', 'order_id=O-1007', 'order_id=O-1013', 'order_id=O-1021']

function stepAlert(over: Partial<Alert> = {}): Alert {
  const fingerprint = over.fingerprint ?? 'fp-erp-create'
  return {
    fingerprint,
    episodeId: `${fingerprint}@${T0}`,
    ruleId: 'step_error_rate',
    labels: { process: 'order_to_cash', step: 'erp.create_sales_order', integration: 'crm-to-erp' },
    annotations: { summary: 'ERP rejects sales orders from the CRM', description: '34% of create calls fail with VBAK-042' },
    severity: 'critical',
    state: 'firing',
    startsAt: iso(T0),
    firedAt: iso(T0),
    value: 0.34,
    impact: { instances: 37, valueAtRisk: [{ currency: 'EUR', amount: 48_200 }], sampleKeys: SAMPLE_ORDERS, slaBreachAt: iso(T0 + 2 * 3_600_000) },
    diagnostics: [
      { step: 'errors', title: 'Recent ERP errors by code', rows: [{ code: 'VBAK-042', n: 31 }], truncated: false, durationMs: 14 },
      { step: 'lag', title: 'Sync lag CRM -> ERP', rows: [{ p95_s: 412 }], truncated: false, durationMs: 9 },
      { step: 'queue', title: 'Dead-letter queue', rows: [], truncated: false, durationMs: 5 },
      { step: 'extra', title: 'Not in the top three', rows: [], truncated: false, durationMs: 1 },
    ],
    acknowledged: false,
    runbookUrl: 'https://runbooks.example/erp-order-rejects',
    dashboardUrl: 'https://grafana.example/d/order-to-cash',
    apiUrl: 'https://throughline.example/api/v1/alerts/fp-erp-create',
    ...over,
  }
}

const resolved = (a: Alert, atMs: number): Alert => ({ ...a, state: 'resolved', resolvedAt: iso(atMs), resolveReason: 'recovered' })

let opened: MigratedStore
let slack: SlackApi

function notifier(route: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Notifier {
  const config = parseNotifyConfig({
    route: { receiver: 'ops', group_by: ['alertname', 'process'], group_wait: '30s', group_interval: '2m', repeat_interval: '6m', ...route },
    receivers: [{ name: 'ops', slack_configs: [{ channel: 'C0ALERTS', token: 'xoxb-test', api_url: `${slack.url}/api/` }] }],
    resolve_wait: '5s',
    retry: { initial: '1s', max: '1m' },
    ...extra,
  })
  return createNotifier({ store: opened.store, config, clock: { now: () => sim.now } })
}

/** Calls update every `stepMs` from `fromMs` to `toMs` (inclusive) with the alerts of that moment. */
async function drive(n: Notifier, fromMs: number, toMs: number, stepMs: number, alertsAt: (t: number) => Alert[]): Promise<void> {
  for (let t = fromMs; t <= toMs; t += stepMs) {
    sim.now = t
    await n.update(alertsAt(t), t)
  }
}

const reasonOf = (m: PostedMessage): unknown => m.metadata?.event_payload.reason
const roots = (): PostedMessage[] => slack.messages.filter((m) => m.threadTs === undefined)
const repliesTo = (root: PostedMessage | undefined): PostedMessage[] => slack.messages.filter((m) => root !== undefined && m.threadTs === root.ts)
const timeline = (list: PostedMessage[]): Array<[unknown, number]> => list.map((m) => [reasonOf(m), (m.postedAt - T0) / SEC])

beforeAll(async () => {
  opened = await openMigratedStore('notify-slack')
  slack = await startSlackApi()
})
afterAll(async () => {
  await slack.close()
  await opened.close()
})
beforeEach(async () => {
  for (const table of ['notification_log', 'notification_groups', 'silences'])
    await command(opened.store, `TRUNCATE TABLE ${table}`, {}, { tag: 'test.truncate' })
  slack.messages.length = 0
  slack.calls.length = 0
  slack.faults.length = 0
  sim.now = T0
})

describe('Slack notifications on simulated time', () => {
  it('gives a 20-minute error burst on one step one firing message, a reminder per repeat interval and one resolve, in one thread', async () => {
    const n = notifier()
    const firing = stepAlert()
    await drive(n, at(0), at(19, 50), 10 * SEC, (t) => [{ ...firing, value: 0.3 + ((t - T0) % 7) / 100 }])
    await drive(n, at(20), at(20), 10 * SEC, () => [resolved(firing, at(20))])
    await drive(n, at(20, 10), at(25), 10 * SEC, () => [])
    await n.close()

    expect(timeline(roots())).toEqual([['first', 30]])
    const root = roots()[0]
    // Reminders every 6 minutes after the first; the resolve 10 s after it (resolve_wait 5 s, next cycle), not at the 20:30 flush.
    expect(timeline(repliesTo(root))).toEqual([
      ['repeat', 390],
      ['repeat', 750],
      ['repeat', 1110],
      ['all_resolved', 1210],
    ])
    expect(slack.messages).toHaveLength(5)

    const blocks = JSON.stringify(root?.blocks)
    expect(blocks).toContain('https://runbooks.example/erp-order-rejects')
    expect(blocks).toContain('https://grafana.example/d/order-to-cash')
    expect(blocks).toContain('https://throughline.example/api/v1/alerts/fp-erp-create')
    expect(blocks.match(/order_id=O-\d+/g)?.length).toBe(5)
    expect(blocks).toContain('Recent ERP errors by code')
    expect(blocks).not.toContain('Not in the top three')
    expect(blocks).toContain('48,200 EUR')
    expect(blocks).toContain('crm-to-erp')
    // The root was rewritten in place on every change, and now shows the resolve.
    expect(root?.updates.map((t) => (t - T0) / SEC)).toEqual([390, 750, 1110, 1210])
    expect(blocks).toMatch(/"text":"Resolved: ERP rejects sales orders from the CRM"/)

    const rows = await queryRows<{ Reason: string; Status: string; n: string }>(
      opened.store,
      'SELECT Reason, Status, toString(count()) AS n FROM notification_log FINAL GROUP BY Reason, Status ORDER BY Reason',
      {},
      { tag: 'test.log' },
    )
    expect(rows).toEqual([
      { Reason: 'all_resolved', Status: 'delivered', n: '1' },
      { Reason: 'first', Status: 'delivered', n: '1' },
      { Reason: 'repeat', Status: 'delivered', n: '3' },
    ])
  })

  it('waits group_wait, then group_interval between changes, repeats after repeat_interval, and starts a new thread for a new episode', async () => {
    const n = notifier()
    const a = stepAlert({ fingerprint: 'fp-a', impact: { instances: 3, valueAtRisk: [], sampleKeys: ['order_id=A1', 'order_id=A2', 'order_id=A3'] } })
    const b = stepAlert({
      fingerprint: 'fp-b',
      labels: { process: 'order_to_cash', step: 'wms.reserve' },
      impact: { instances: 4, valueAtRisk: [], sampleKeys: ['order_id=B1', 'order_id=B2', 'order_id=B3', 'order_id=B4'] },
    })
    await drive(n, at(0), at(13), 15 * SEC, (t) => {
      const alerts: Alert[] = []
      if (t < at(3)) alerts.push(a)
      else if (t === at(3)) alerts.push(resolved(a, t))
      else if (t >= at(12)) alerts.push({ ...a, episodeId: `fp-a@${at(12)}` })
      if (t >= at(0, 45) && t < at(11)) alerts.push(b)
      else if (t === at(11)) alerts.push(resolved(b, t))
      return alerts
    })
    await n.close()

    expect(timeline(roots())).toEqual([
      ['first', 30],
      ['first', 750],
    ])
    expect(timeline(repliesTo(roots()[0]))).toEqual([
      ['new_alerts', 150],
      ['some_resolved', 270],
      ['repeat', 630],
      ['all_resolved', 675],
    ])
    // Two alerts with 7 sample keys between them: the message shows 5.
    const afterNew = roots()[0]?.blocks
    expect(JSON.stringify(afterNew).match(/order_id=[AB]\d/g)?.length).toBeLessThanOrEqual(5)
  })

  it('stops reminders when acknowledged, but still sends the escalation and the resolve', async () => {
    const n = notifier()
    const warning = stepAlert({ severity: 'warning' })
    await drive(n, at(0), at(16), 15 * SEC, (t) => {
      const acknowledged = t >= at(1)
      if (t < at(8)) return [{ ...warning, acknowledged }]
      if (t < at(15)) return [{ ...warning, acknowledged, severity: 'critical' }]
      return t === at(15) ? [resolved({ ...warning, acknowledged, severity: 'critical' }, t)] : []
    })
    await n.close()

    expect(timeline(roots())).toEqual([['first', 30]])
    const replies = repliesTo(roots()[0])
    expect(timeline(replies)).toEqual([
      ['escalation', 510],
      ['all_resolved', 915],
    ])
    expect(replies[0]?.broadcast).toBe(true)
    // The acknowledgement itself only rewrites the root message.
    expect(roots()[0]?.updates.map((t) => (t - T0) / SEC)).toEqual([150, 510, 915])
  })

  it('keeps a silenced group quiet until the silence ends, then tells it', async () => {
    await saveSilence(opened.store, {
      id: 'maintenance-erp',
      matchers: [{ name: 'process', value: 'order_to_cash', isRegex: false, isEqual: true }],
      startsAtMs: at(0),
      endsAtMs: at(5),
      createdBy: 'ops@example.com',
      comment: 'ERP maintenance window',
    })
    const n = notifier()
    await drive(n, at(0), at(8), 15 * SEC, () => [stepAlert()])
    await n.close()
    expect(timeline(roots())).toEqual([['first', 390]])
  })

  it('mutes step warnings while their process is down, paces two new threads a second apart, and speaks once the source resolves', async () => {
    const n = notifier({}, { inhibit_rules: [{ source_matchers: ['alertname="process_down"'], target_matchers: ['severity="warning"'], equal: ['process'] }] })
    const down = stepAlert({
      fingerprint: 'fp-down',
      ruleId: 'process_down',
      labels: { process: 'p1' },
      annotations: { summary: 'p1 is down', description: '' },
    })
    const slowP1 = stepAlert({
      fingerprint: 'fp-slow-p1',
      ruleId: 'step_latency',
      severity: 'warning',
      labels: { process: 'p1' },
      annotations: { summary: 'p1 slow', description: '' },
    })
    const slowP2 = stepAlert({
      fingerprint: 'fp-slow-p2',
      ruleId: 'step_latency',
      severity: 'warning',
      labels: { process: 'p2' },
      annotations: { summary: 'p2 slow', description: '' },
    })
    await drive(n, at(0), at(6), 15 * SEC, (t) => [...(t < at(3) ? [down] : t === at(3) ? [resolved(down, t)] : []), slowP1, slowP2])
    await n.close()

    const titles = roots().map((m) => [m.text, (m.postedAt - T0) / SEC])
    expect(titles).toEqual([
      ['[FIRING CRITICAL] p1 is down', 30],
      ['[FIRING WARNING] p2 slow', 45],
      ['[FIRING WARNING] p1 slow', 270],
    ])
    expect(timeline(repliesTo(roots()[0]))).toEqual([['all_resolved', 195]])
  })

  it('holds a group back during a mute time interval and sends when it ends', async () => {
    sim.now = Date.parse('2026-11-02T05:50:00Z')
    const start = sim.now
    const n = notifier(
      { routes: [{ matchers: ['process="order_to_cash"'], mute_time_intervals: ['night'] }] },
      { time_intervals: [{ name: 'night', time_intervals: [{ times: [{ start_time: '00:00', end_time: '06:00' }] }] }] },
    )
    await drive(n, start, start + 15 * MIN, 15 * SEC, () => [stepAlert()])
    await n.close()
    expect(roots().map((m) => iso(m.postedAt))).toEqual(['2026-11-02T06:00:30.000Z'])
  })
})

describe('Slack delivery failures and restarts', () => {
  it('retries 5xx and 429 (honouring Retry-After) and a dropped answer, and delivers the message once', async () => {
    slack.faults.push({ status: 500 }, { status: 503 }, { status: 429, retryAfter: 20 }, 'drop-after-accept')
    const n = notifier()
    const firing = stepAlert()
    await drive(n, at(0), at(2), SEC, () => [firing])
    await drive(n, at(2, 1), at(2, 20), SEC, () => [resolved(firing, at(2, 1))])
    await n.close()

    expect(roots()).toHaveLength(1)
    expect(timeline(repliesTo(roots()[0]))).toEqual([['all_resolved', 126]])
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => (c.at - T0) / SEC)
    // 30: 500; ~1 s later 503; ~2 s later 429 (Retry-After 20); not before 20 s later the post whose answer was lost.
    expect(posts).toHaveLength(5)
    const [p1 = 0, p2 = 0, p3 = 0, p4 = 0] = posts
    expect(p1).toBe(30)
    expect(p2 - p1).toBeLessThanOrEqual(2)
    expect(p4 - p3).toBeGreaterThanOrEqual(20)
    // After the lost answer the channel was checked, not posted to again.
    expect(slack.calls.some((c) => c.method === 'conversations.history' && c.at > at(0, p4))).toBe(true)
    const [row] = await queryRows<{ Status: string; Attempts: number }>(
      opened.store,
      "SELECT Status, Attempts FROM notification_log FINAL WHERE Reason = 'first'",
      {},
      { tag: 'test.log' },
    )
    expect(row).toEqual({ Status: 'delivered', Attempts: 5 })
  })

  it('sends no second firing message after a restart while firing, and resolves in the same thread', async () => {
    const firing = stepAlert()
    const first = notifier()
    await drive(first, at(0), at(1), 15 * SEC, () => [firing])
    await first.close()
    expect(timeline(roots())).toEqual([['first', 30]])

    const second = notifier()
    expect(await second.reconcile()).toEqual({ groups: 1, pending: 0, dropped: 0 })
    await drive(second, at(1, 15), at(5), 15 * SEC, () => [firing])
    await drive(second, at(5, 15), at(6), 15 * SEC, (t) => (t === at(5, 15) ? [resolved(firing, t)] : []))
    await second.close()
    expect(roots()).toHaveLength(1)
    expect(timeline(repliesTo(roots()[0]))).toEqual([['all_resolved', 330]])
  })

  it('finds a message that went out just before a restart in the channel instead of posting it again', async () => {
    slack.faults.push('drop-after-accept')
    const firing = stepAlert()
    const crashed = notifier()
    await drive(crashed, at(0), at(0, 30), 15 * SEC, () => [firing])
    await crashed.close() // the retry never ran: the intent is recorded, its delivery is not
    expect(slack.messages).toHaveLength(1)

    const restarted = notifier()
    expect(await restarted.reconcile()).toEqual({ groups: 1, pending: 1, dropped: 0 })
    await drive(restarted, at(0, 45), at(3), 15 * SEC, () => [firing])
    await drive(restarted, at(3, 15), at(4), 15 * SEC, (t) => (t === at(3, 15) ? [resolved(firing, t)] : []))
    await restarted.close()

    expect(roots()).toHaveLength(1)
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.at < at(3))).toHaveLength(1)
    expect(timeline(repliesTo(roots()[0]))).toEqual([['all_resolved', 210]])
    const states = await queryRows<{ Reason: string; Status: string }>(
      opened.store,
      'SELECT Reason, Status FROM notification_log FINAL ORDER BY IntendedAt',
      {},
      { tag: 'test.log' },
    )
    expect(states).toEqual([
      { Reason: 'first', Status: 'delivered' },
      { Reason: 'all_resolved', Status: 'delivered' },
    ])
  })
})
