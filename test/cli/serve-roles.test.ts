// `serve --role`: one process runs the parts it is given. Real `throughline serve` child
// processes show which ports answer per role; two services in this process on one embedded
// store show that the collector role stores without deriving and the deriver role derives
// what another process's collector stored (what the split deployment relies on).
import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { resolveConfig } from '../../core/config.ts'
import { startService } from '../../cli/serve.ts'
import { rolesOf } from '../../cli/serve-roles.ts'
import { createStoreClient, queryRows, type StoreClient } from '../../store/index.ts'
import { freePort, runThroughline } from '../support/serve-process.ts'
import { tempDir } from '../support/temp-dir.ts'

const BIN = new URL('../../bin/throughline.js', import.meta.url).pathname
const dirs: Array<{ remove(): void }> = []
afterAll(() => dirs.forEach((d) => d.remove()))

function newDir(label: string): string {
  const dir = tempDir(label)
  dirs.push(dir)
  return dir.path
}

/** True when something answers HTTP on the port; false when the connection is refused. */
async function answers(port: number, path: string): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) }).then(
    (r) => r.ok,
    () => false,
  )
}

interface Started {
  readonly otlpPort: number
  readonly apiPort: number
  readonly serving: { roles: string[]; otlp?: string; api?: string }
  /** Stops it with SIGTERM: how it ended ('SIGTERM' when it stopped cleanly and re-raised the signal), and what it logged. */
  stop(): Promise<{ readonly signal: NodeJS.Signals | null; readonly output: string }>
}

/** Starts `serve` with the given roles and waits for its "throughline is serving" log line. */
async function serveWith(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const [otlpPort, apiPort] = [await freePort(), await freePort()]
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', newDir('roles'), '--otlp-port', String(otlpPort), '--api-port', String(apiPort), ...args],
    // The embedded store's read-only ClickHouse HTTP port (with the API) on a free port, not 8123.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, THROUGHLINE_CLICKHOUSE_HTTP_PORT: '0', ...env } },
  )
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
  const deadline = Date.now() + 60_000
  for (;;) {
    const line = output.split('\n').find((l) => l.includes('"throughline is serving"'))
    if (line !== undefined) {
      const serving = JSON.parse(line) as Started['serving']
      return {
        otlpPort,
        apiPort,
        serving,
        async stop() {
          child.kill('SIGTERM')
          return { signal: await exited, output }
        },
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('the roles setting', () => {
  it('defaults to all and expands it; takes comma lists from the environment and repeated flags', () => {
    expect([...rolesOf(resolveConfig())]).toEqual(['collector', 'deriver', 'rules', 'api'])
    expect([...rolesOf(resolveConfig({ roles: 'api, collector' }))]).toEqual(['collector', 'api'])
    expect([...rolesOf(resolveConfig({ roles: ['rules,deriver', 'rules'] }))]).toEqual(['deriver', 'rules'])
    expect([...rolesOf(resolveConfig({ roles: ['all', 'api'] }))]).toEqual(['collector', 'deriver', 'rules', 'api'])
  })

  it('refuses an unknown or empty role, naming the setting and its variable', () => {
    expect(() => resolveConfig({ roles: 'collector,colector' })).toThrow(
      /roles\.1: must be equal to one of the allowed values .*"collector".*\(config file key roles, or THROUGHLINE_ROLES\)/,
    )
    expect(() => resolveConfig({ roles: ' , ' })).toThrow(/roles: must not have fewer than 1 items/)
  })
})

// Each test starts a real process (chDB, migrations): generous timeouts for a loaded machine.
describe('throughline serve --role', { timeout: 120_000 }, () => {
  it('collector: OTLP answers, the API port does not', async () => {
    const serve = await serveWith(['--role', 'collector'])
    try {
      expect(serve.serving.roles).toEqual(['collector'])
      expect(await answers(serve.otlpPort, '/healthz')).toBe(true)
      expect(await answers(serve.otlpPort, '/readyz')).toBe(true)
      expect(await answers(serve.apiPort, '/healthz')).toBe(false)
    } finally {
      const stopped = await serve.stop()
      expect(stopped.signal, stopped.output).toBe('SIGTERM')
    }
  })

  it('api: the API answers (no spool to report in this process), the OTLP port does not', async () => {
    const serve = await serveWith(['--role', 'api'])
    try {
      expect(serve.serving.roles).toEqual(['api'])
      expect(await answers(serve.apiPort, '/healthz')).toBe(true)
      const status = (await (await fetch(`http://127.0.0.1:${serve.apiPort}/api/v1/status`)).json()) as { store: string; spooledBytes: number | null }
      expect(status).toMatchObject({ store: 'embedded', spooledBytes: null })
      // The rules are listed wherever the API runs, even without the engine here.
      const rules = (await (await fetch(`http://127.0.0.1:${serve.apiPort}/api/v1/rules`)).json()) as unknown[] | { rules: unknown[] }
      expect(Array.isArray(rules) ? rules.length : rules.rules.length).toBeGreaterThan(0)
      expect(await answers(serve.otlpPort, '/healthz')).toBe(false)
    } finally {
      const stopped = await serve.stop()
      expect(stopped.signal, stopped.output).toBe('SIGTERM')
    }
  })

  it('rules and deriver from THROUGHLINE_ROLES: no port answers, the process runs until stopped', async () => {
    const serve = await serveWith([], { THROUGHLINE_ROLES: 'rules,deriver' })
    try {
      // Order of SERVICE_ROLES, not of the list given.
      expect(serve.serving.roles).toEqual(['deriver', 'rules'])
      expect(serve.serving.otlp).toBeUndefined()
      expect(serve.serving.api).toBeUndefined()
      expect(await answers(serve.otlpPort, '/healthz')).toBe(false)
      expect(await answers(serve.apiPort, '/healthz')).toBe(false)
    } finally {
      const stopped = await serve.stop()
      expect(stopped.signal, stopped.output).toBe('SIGTERM')
    }
  })

  it('exits 2 on an unknown role, and on --demo without the collector role', async () => {
    const bad = await runThroughline(['serve', '--data-dir', newDir('roles-bad'), '--role', 'api', '--role', 'ui'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('roles.1: must be equal to one of the allowed values')
    const demo = await runThroughline(['serve', '--data-dir', newDir('roles-demo'), '--role', 'api', '--demo', 'lead-to-cash'])
    expect(demo.code).toBe(2)
    expect(demo.stderr).toContain('--demo: needs the collector role in this process (roles: api)')
  })
})

describe('a collector and a deriver in separate services on one store', () => {
  async function businessEvents(store: StoreClient): Promise<number> {
    const [row] = await queryRows<{ n: string }>(store, `SELECT count() AS n FROM business_events WHERE Process = 'lead_to_cash'`, {}, { tag: 'test.count' })
    return Number(row?.n ?? 0)
  }

  it('the collector role stores the event without deriving it; the deriver role derives it', async () => {
    const dataDir = newDir('roles-split')
    const logger = pino({ level: 'silent' })
    const base = { dataDir, host: '127.0.0.1', otlpPort: 0, apiPort: 0, logLevel: 'silent' }
    const collector = await startService(resolveConfig({ ...base, roles: 'collector' }), logger)
    // A second chDB session on the same data directory, as a separate process's server client would be.
    const store = createStoreClient(resolveConfig(base))
    const deriverService: { stop(): Promise<boolean> }[] = []
    try {
      expect(collector.apiUrl).toBeUndefined()
      const time = new Date(Date.now() - 60_000).toISOString()
      const posted = await fetch(`${collector.otlpUrl ?? ''}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ process: 'lead_to_cash', milestone: 'opportunity.won', system: 'CRM', keys: { order_id: 'O-ROLES-1' }, time }] }),
      })
      expect(posted.status).toBe(200)
      // Stored as a log row by the collector...
      const deadline = Date.now() + 20_000
      let logs = 0
      while (logs === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
        const [row] = await queryRows<{ n: string }>(store, `SELECT count() AS n FROM otel_logs WHERE EventName = 'business.event'`, {}, { tag: 'test.count' })
        logs = Number(row?.n ?? 0)
      }
      expect(logs).toBe(1)
      // ...and not derived: the deriver settles 2 s and ticks every 1 s, so 4 s would have done it.
      await new Promise((r) => setTimeout(r, 4_000))
      expect(await businessEvents(store)).toBe(0)

      deriverService.push(await startService(resolveConfig({ ...base, roles: 'deriver' }), logger))
      let derived = 0
      const deriveDeadline = Date.now() + 20_000
      while (derived === 0 && Date.now() < deriveDeadline) {
        await new Promise((r) => setTimeout(r, 250))
        derived = await businessEvents(store)
      }
      expect(derived).toBe(1)
    } finally {
      for (const service of deriverService) await service.stop()
      await collector.stop()
      await store.client.close()
    }
  }, 90_000)
})
