// The generic webhook against a loopback receiver that verifies the HMAC-SHA256 signature over
// `<timestamp>.<body>` with the shared secret, as docs/notifications.md tells receivers to: a
// 503 with Retry-After is retried after that long under the same Idempotency-Key and body, a
// 400 is given up at once, and a tampered body fails verification.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNotifier, IDEMPOTENCY_HEADER, parseNotifyConfig, SIGNATURE_HEADER, TIMESTAMP_HEADER, type Alert } from '../../notify/index.ts'
import { queryRows } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const SEC = 1_000
const SECRET = 'a-shared-secret-of-some-length'
const sim = { now: T0 }

interface Received {
  readonly path: string
  readonly at: number
  readonly verified: boolean
  readonly timestamp: string
  readonly key: string
  readonly body: string
}

/** What a receiver does: recompute the signature over timestamp + '.' + raw body and compare in constant time. */
function verify(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`)
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

let opened: MigratedStore
let server: Server
let url: string
const received: Received[] = []
let busyAnswers = 1

function alert(fingerprint: string, labels: Record<string, string>): Alert {
  return {
    fingerprint,
    episodeId: `${fingerprint}@${T0}`,
    ruleId: 'sync_lag',
    labels,
    annotations: { summary: 'CRM -> ERP sync lags', description: 'p95 lag 7 minutes' },
    severity: 'warning',
    state: 'firing',
    startsAt: new Date(T0).toISOString(),
    firedAt: new Date(T0).toISOString(),
    value: 412,
    impact: { instances: 12, valueAtRisk: [{ currency: 'USD', amount: 9_100 }], sampleKeys: ['order_id=O-7'] },
    diagnostics: [],
    acknowledged: false,
    runbookUrl: 'https://runbooks.example/sync-lag',
    apiUrl: 'https://throughline.example/api/v1/alerts/x',
  }
}

beforeAll(async () => {
  opened = await openMigratedStore('notify-webhook')
  server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks).toString('utf8')
      const header = (name: string): string => String(req.headers[name] ?? '')
      const timestamp = header(TIMESTAMP_HEADER)
      received.push({
        path: req.url ?? '',
        at: sim.now,
        verified: verify(SECRET, timestamp, body, header(SIGNATURE_HEADER)),
        timestamp,
        key: header(IDEMPOTENCY_HEADER),
        body,
      })
      if (req.url === '/reject') return void res.writeHead(400).end('no such tenant')
      if (busyAnswers > 0) {
        busyAnswers--
        return void res.writeHead(503, { 'retry-after': '7' }).end('busy')
      }
      res.writeHead(204).end()
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await opened.close()
})

describe('webhook notifications', () => {
  it('signs the body with the shared secret and retries a 503 after its Retry-After with the same key and body', async () => {
    const config = parseNotifyConfig({
      route: {
        receiver: 'hook',
        group_wait: '30s',
        routes: [{ matchers: ['tenant="gone"'], receiver: 'gone' }],
      },
      receivers: [
        { name: 'hook', webhook_configs: [{ url: `${url}/alerts`, secret: SECRET }] },
        { name: 'gone', webhook_configs: [{ url: `${url}/reject`, secret: SECRET }] },
      ],
      retry: { initial: '1s' },
    })
    const n = createNotifier({ store: opened.store, config, clock: { now: () => sim.now } })
    const alerts = [alert('fp-lag', { process: 'order_to_cash', integration: 'crm-to-erp' }), alert('fp-gone', { tenant: 'gone' })]
    for (let t = T0; t <= T0 + 60 * SEC; t += SEC) {
      sim.now = t
      await n.update(alerts, t)
    }
    await n.close()

    const hook = received.filter((r) => r.path === '/alerts')
    expect(hook.map((r) => (r.at - T0) / SEC)).toEqual([30, 37])
    expect(hook.every((r) => r.verified)).toBe(true)
    expect(hook.map((r) => r.timestamp)).toEqual([String((T0 + 30 * SEC) / 1000), String((T0 + 37 * SEC) / 1000)])
    expect(hook[0]?.key).toMatch(/^[0-9a-f]{40}$/)
    expect(hook[1]?.key).toBe(hook[0]?.key)
    expect(hook[1]?.body).toBe(hook[0]?.body)
    const body = JSON.parse(hook[0]?.body ?? '{}') as { alerts: unknown[] }
    expect(body).toMatchObject({
      version: '1',
      idempotencyKey: hook[0]?.key,
      receiver: 'hook',
      status: 'firing',
      reason: 'first',
      sequence: 0,
      groupKey: '{}:{}',
      commonLabels: { process: 'order_to_cash', integration: 'crm-to-erp' },
      truncatedAlerts: 0,
    })
    expect(body.alerts[0]).toMatchObject({ fingerprint: 'fp-lag', value: 412, impact: { instances: 12 }, runbookUrl: 'https://runbooks.example/sync-lag' })

    const rejected = received.filter((r) => r.path === '/reject')
    expect(rejected).toHaveLength(1)
    const rows = await queryRows<{ Receiver: string; Status: string; Attempts: number }>(
      opened.store,
      'SELECT Receiver, Status, Attempts FROM notification_log FINAL ORDER BY Receiver',
      {},
      { tag: 'test.log' },
    )
    expect(rows).toEqual([
      { Receiver: 'gone', Status: 'failed', Attempts: 1 },
      { Receiver: 'hook', Status: 'delivered', Attempts: 2 },
    ])

    // A receiver sees a changed body, or the signature moved to a later timestamp, as unsigned.
    const first = hook[0]
    if (first === undefined) throw new Error('no request')
    const signature = `sha256=${createHmac('sha256', SECRET).update(`${first.timestamp}.${first.body}`).digest('hex')}`
    expect(verify(SECRET, first.timestamp, first.body, signature)).toBe(true)
    expect(verify(SECRET, first.timestamp, first.body.replace('"firing"', '"resolved"'), signature)).toBe(false)
    expect(verify(SECRET, String(Number(first.timestamp) + 600), first.body, signature)).toBe(false)
  })
})
