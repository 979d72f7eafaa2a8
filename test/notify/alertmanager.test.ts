// Forwarding to Prometheus Alertmanager: the real binary (Debian's prometheus-alertmanager,
// started here on a free port with a minimal config) takes our POST /api/v2/alerts, lists the
// alert with its labels, annotations, startsAt, endsAt = now + 4 x resend interval and
// generatorURL, follows the re-send, and drops it once resolved. The re-send cadence while
// firing and after resolution is checked on simulated time against a loopback receiver.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNotifier, parseNotifyConfig, type Alert } from '../../notify/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const SEC = 1_000
const MIN = 60_000

/** The Alertmanager binary on PATH: Debian's package installs it as prometheus-alertmanager. */
function findAlertmanager(): string | undefined {
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK)
        return join(dir, name)
      } catch {
        // not in this directory
      }
    }
  }
  return undefined
}

async function freePort(): Promise<number> {
  const probe = createNetServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

function alert(nowMs: number, over: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'fp-erp-create',
    episodeId: `fp-erp-create@${nowMs}`,
    ruleId: 'step_error_rate',
    labels: { process: 'order_to_cash', step: 'erp.create_sales_order', 'business.system': 'ERP' },
    annotations: { summary: 'ERP rejects sales orders from the CRM', description: '34% of create calls fail' },
    severity: 'critical',
    state: 'firing',
    startsAt: new Date(nowMs - 5 * MIN).toISOString(),
    firedAt: new Date(nowMs - 4 * MIN).toISOString(),
    value: 0.34,
    impact: { instances: 37, valueAtRisk: [], sampleKeys: [] },
    diagnostics: [],
    acknowledged: false,
    runbookUrl: 'https://runbooks.example/erp-order-rejects',
    dashboardUrl: 'https://grafana.example/d/order-to-cash',
    apiUrl: 'https://throughline.example/api/v1/alerts/fp-erp-create',
    ...over,
  }
}

const resolved = (a: Alert, atMs: number): Alert => ({ ...a, state: 'resolved', resolvedAt: new Date(atMs).toISOString(), resolveReason: 'recovered' })

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('notify-alertmanager')
})
afterAll(async () => {
  await opened.close()
})

const binary = findAlertmanager()
if (binary === undefined) {
  console.warn('SKIPPED: the Alertmanager forwarding test needs the prometheus-alertmanager binary (Debian/Ubuntu: apt-get install prometheus-alertmanager)')
}

describe.skipIf(binary === undefined)('forwarding to a real Alertmanager', () => {
  let child: ChildProcess
  let base: string
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'throughline-alertmanager-'))
    writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n')
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    child = spawn(
      binary ?? 'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    )
    for (let i = 0; ; i++) {
      const ready = await fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
      if (ready) break
      if (i > 100) throw new Error('alertmanager did not become ready')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  })

  interface AmAlert {
    labels: Record<string, string>
    annotations: Record<string, string>
    startsAt: string
    endsAt: string
    generatorURL: string
  }
  const listed = async (): Promise<AmAlert[]> => (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[]

  it('lists the forwarded alert, follows the re-send, and drops it once resolved', async () => {
    const now = Date.now()
    let clockMs = now
    const config = parseNotifyConfig({
      route: { receiver: 'am' },
      receivers: [{ name: 'am', alertmanager_configs: [{ url: base, resend_interval: '1m' }] }],
    })
    const n = createNotifier({ store: opened.store, config, clock: { now: () => clockMs } })
    const firing = alert(now)
    await n.update([firing], now)

    const [am] = await listed()
    expect(am?.labels).toEqual({
      alertname: 'step_error_rate',
      severity: 'critical',
      process: 'order_to_cash',
      step: 'erp.create_sales_order',
      business_system: 'ERP',
    })
    expect(am?.annotations).toMatchObject({
      summary: 'ERP rejects sales orders from the CRM',
      runbook_url: 'https://runbooks.example/erp-order-rejects',
      throughline_api_url: 'https://throughline.example/api/v1/alerts/fp-erp-create',
      value: '0.34',
    })
    expect(Date.parse(am?.startsAt ?? '')).toBe(Date.parse(firing.startsAt))
    expect(Date.parse(am?.endsAt ?? '')).toBe(now + 4 * MIN)
    expect(am?.generatorURL).toBe('https://grafana.example/d/order-to-cash')

    clockMs = now + 61 * SEC
    await n.tick(clockMs)
    expect(Date.parse((await listed())[0]?.endsAt ?? '')).toBe(now + 61 * SEC + 4 * MIN)

    const resolvedAt = Date.now()
    await n.update([resolved(firing, resolvedAt)], resolvedAt + SEC)
    expect(await listed()).toEqual([])
    await n.close()
  })
})

describe('the Alertmanager re-send cadence', () => {
  let server: Server
  let url: string
  const posts: Array<{ at: number; alerts: Array<{ endsAt: string }> }> = []
  const sim = { now: 0 }

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = []
        for await (const chunk of req) chunks.push(chunk as Buffer)
        posts.push({ at: sim.now, alerts: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ endsAt: string }> })
        res.writeHead(200).end()
      })()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('re-sends every resend interval while firing and for resolved_resend_for after the resolve', async () => {
    const T0 = Date.parse('2026-11-02T09:00:00Z')
    sim.now = T0
    const config = parseNotifyConfig({
      route: { receiver: 'am' },
      receivers: [{ name: 'am', alertmanager_configs: [{ url, resend_interval: '1m', resolved_resend_for: '5m' }] }],
    })
    const n = createNotifier({ store: opened.store, config, clock: { now: () => sim.now } })
    const firing = alert(T0)
    for (let t = T0; t <= T0 + 10 * MIN; t += 15 * SEC) {
      sim.now = t
      const alerts = t < T0 + 3 * MIN ? [firing] : t === T0 + 3 * MIN ? [resolved(firing, t)] : []
      await n.update(alerts, t)
    }
    await n.close()
    expect(posts.map((p) => (p.at - T0) / MIN)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(posts.map((p) => (Date.parse(p.alerts[0]?.endsAt ?? '') - T0) / MIN)).toEqual([4, 5, 6, 3, 3, 3, 3, 3])
  })
})
