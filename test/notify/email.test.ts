// Email through nodemailer to a real SMTP server (smtp-server) on loopback, each message parsed
// with mailparser: the episode threads on a deterministic root Message-Id, HTML and text carry
// the same content, a temporary refusal is retried under the same Message-Id, and a server
// that is down gets the message exactly once when it is back.
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createNotifier, episodeThreadId, idempotencyKey, parseNotifyConfig, type Alert, type Notifier } from '../../notify/index.ts'
import { command, queryRows } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const SEC = 1_000
const MIN = 60_000
const at = (m: number, s = 0): number => T0 + m * MIN + s * SEC
const iso = (ms: number): string => new Date(ms).toISOString()
const sim = { now: T0 }

interface Inbox {
  readonly port: number
  readonly accepted: ParsedMail[]
  /** Every DATA the server read, accepted or refused. */
  readonly received: ParsedMail[]
  /** Answer the next DATA with a temporary 451. */
  refuseNext: number
  close(): Promise<void>
}

async function startInbox(port = 0): Promise<Inbox> {
  const accepted: ParsedMail[] = []
  const received: ParsedMail[] = []
  const control = { refuseNext: 0 }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail)
          if (control.refuseNext > 0) {
            control.refuseNext--
            callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }))
          } else {
            accepted.push(mail)
            callback()
          }
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))))
    },
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    port: (server.server.address() as AddressInfo).port,
    accepted,
    received,
    get refuseNext() {
      return control.refuseNext
    },
    set refuseNext(n: number) {
      control.refuseNext = n
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

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
    impact: {
      instances: 37,
      valueAtRisk: [{ currency: 'EUR', amount: 48_200 }],
      sampleKeys: ['order_id=O-1001', 'order_id=O-1002', 'order_id=O-1007', 'order_id=O-1013', 'order_id=O-1021'],
      slaBreachAt: iso(T0 + 2 * 3_600_000),
    },
    diagnostics: [{ step: 'errors', title: 'Recent ERP errors by code', rows: [{ code: 'VBAK-042', n: 31 }], truncated: false, durationMs: 14 }],
    acknowledged: false,
    runbookUrl: 'https://runbooks.example/erp-order-rejects?step=erp&lang=en',
    apiUrl: 'https://throughline.example/api/v1/alerts/fp-erp-create',
    ...over,
  }
}

const resolved = (a: Alert, atMs: number): Alert => ({ ...a, state: 'resolved', resolvedAt: iso(atMs), resolveReason: 'recovered' })

let opened: MigratedStore

function notifier(port: number): Notifier {
  const config = parseNotifyConfig({
    route: { receiver: 'ops', group_by: ['alertname', 'process'], group_wait: '30s', group_interval: '2m', repeat_interval: '1h' },
    receivers: [
      {
        name: 'ops',
        email_configs: [
          { to: ['ops@example.com'], from: 'throughline <alerts@example.com>', smarthost: `127.0.0.1:${port}`, require_tls: false, timeout: '5s' },
        ],
      },
    ],
    resolve_wait: '5s',
    retry: { initial: '1s', max: '1m' },
  })
  return createNotifier({ store: opened.store, config, clock: { now: () => sim.now } })
}

async function drive(n: Notifier, fromMs: number, toMs: number, stepMs: number, alertsAt: (t: number) => Alert[]): Promise<void> {
  for (let t = fromMs; t <= toMs; t += stepMs) {
    sim.now = t
    await n.update(alertsAt(t), t)
  }
}

const GROUP = { receiver: 'ops', integration: 'email#0', groupKey: '{}:{alertname="step_error_rate",process="order_to_cash"}', groupEpisode: `e${T0}` }
const unescape = (s: string): string => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&')

beforeAll(async () => {
  opened = await openMigratedStore('notify-email')
})
afterAll(async () => {
  await opened.close()
})
beforeEach(async () => {
  for (const table of ['notification_log', 'notification_groups']) await command(opened.store, `TRUNCATE TABLE ${table}`, {}, { tag: 'test.truncate' })
  sim.now = T0
})

describe('email notifications', () => {
  it('threads an episode on a deterministic root Message-Id, with the same content as HTML and as text', async () => {
    const inbox = await startInbox()
    const n = notifier(inbox.port)
    const a = stepAlert()
    const b = stepAlert({
      fingerprint: 'fp-wms',
      labels: { process: 'order_to_cash', step: 'wms.reserve' },
      annotations: { summary: 'WMS reservations time out', description: '' },
    })
    await drive(n, at(0), at(4), 15 * SEC, (t) => (t < at(1) ? [a] : [a, b]))
    await drive(n, at(4, 15), at(5), 15 * SEC, (t) => (t === at(4, 15) ? [resolved(a, t), resolved(b, t)] : []))
    await n.close()
    await inbox.close()

    expect(inbox.accepted.map((m) => m.subject)).toEqual([
      '[throughline] ERP rejects sales orders from the CRM',
      'Re: [throughline] ERP rejects sales orders from the CRM',
      'Re: [throughline] ERP rejects sales orders from the CRM',
    ])
    const [first, second, third] = inbox.accepted
    const root = `<${episodeThreadId(GROUP)}@example.com>`
    expect(first?.messageId).toBe(root)
    expect(first?.inReplyTo).toBeUndefined()
    expect(second?.messageId).toBe(`<${idempotencyKey({ ...GROUP, reason: 'new_alerts', sequence: 1 })}@example.com>`)
    expect(third?.messageId).toBe(`<${idempotencyKey({ ...GROUP, reason: 'all_resolved', sequence: 2 })}@example.com>`)
    for (const reply of [second, third]) {
      expect(reply?.inReplyTo).toBe(root)
      expect(reply?.references).toBe(root)
    }
    expect(second?.headers.get('x-throughline-reason')).toBe('new_alerts')

    const text = first?.text ?? ''
    const html = typeof first?.html === 'string' ? first.html : ''
    expect(text).toContain('Instances affected: 37')
    expect(text).toContain('Value at risk: 48,200 EUR')
    expect(text).toContain('Runbook: https://runbooks.example/erp-order-rejects?step=erp&lang=en')
    expect(text.match(/order_id=O-\d+/g)).toHaveLength(5)
    expect(html).toContain('<a href="https://runbooks.example/erp-order-rejects?step=erp&amp;lang=en">')
    // The HTML's headings and list items, tags stripped, are the text's lines.
    const htmlLines = [...html.matchAll(/<(h3|li)>(.*?)<\/\1>/g)].map((m) => unescape((m[2] ?? '').replace(/<[^>]+>/g, '')))
    expect(htmlLines).toEqual(text.split('\n').filter((l) => l !== ''))
    expect(third?.text).toContain('RESOLVED')
  })

  it('retries a temporary refusal under the same Message-Id', async () => {
    const inbox = await startInbox()
    inbox.refuseNext = 1
    const n = notifier(inbox.port)
    await drive(n, at(0), at(1), SEC, () => [stepAlert()])
    await n.close()
    await inbox.close()
    expect(inbox.received).toHaveLength(2)
    expect(inbox.accepted).toHaveLength(1)
    expect(inbox.received[0]?.messageId).toBe(inbox.received[1]?.messageId)
  })

  it('delivers once when the SMTP server comes back after being down', async () => {
    const probe = await startInbox()
    const port = probe.port
    await probe.close() // the port is free: connections are refused until the server starts again
    const n = notifier(port)
    await drive(n, at(0), at(2), 5 * SEC, () => [stepAlert()])
    const inbox = await startInbox(port)
    await drive(n, at(2, 5), at(5), 5 * SEC, () => [stepAlert()])
    await n.close()
    await inbox.close()

    expect(inbox.accepted).toHaveLength(1)
    const rows = await queryRows<{ Status: string; Attempts: number }>(
      opened.store,
      'SELECT Status, Attempts FROM notification_log FINAL',
      {},
      { tag: 'test.log' },
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.Status).toBe('delivered')
    expect(rows[0]?.Attempts).toBeGreaterThan(3)
  })
})
