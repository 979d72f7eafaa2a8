// npm run bench:ingest: how fast the collector takes OTLP protobuf spans over loopback and
// stores them in embedded ClickHouse, against the ceiling of inserting the same rows
// directly with @clickhouse/client into the same engine, measured in the same run.
// Usage: node bench/ingest.ts [--requests 300] [--spans 1000] [--concurrency 4]
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { decodeTracesProtobuf } from '../collector/otlp/index.ts'
import { resolveConfig } from '../core/config.ts'
import { spanRowJson } from '../store/row-format.ts'
import { createStoreClient, migrate } from '../store/index.ts'
import { integrationSpanRequests } from './ingest-requests.ts'
import { tempDir } from '../test/support/temp-dir.ts'

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    spans: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
})
const requests = Number(args.requests)
const spansPerRequest = Number(args.spans)
const concurrency = Number(args.concurrency)
const totalSpans = requests * spansPerRequest
const OTLP_PORT = 14318
const API_PORT = 18080

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

async function storedSpans(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${API_PORT}/api/v1/status`)
  const body = (await res.json()) as { tables: Record<string, number> }
  return Number(body.tables.otel_traces ?? 0)
}

async function send(bodies: Uint8Array[]): Promise<{ retries: number }> {
  let next = 0
  let retries = 0
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!
      for (;;) {
        const res = await fetch(`http://127.0.0.1:${OTLP_PORT}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body,
        })
        await res.arrayBuffer()
        if (res.status === 200) break
        if (res.status !== 429 && res.status !== 503) throw new Error(`collector answered ${res.status}`)
        retries++
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 100)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { retries }
}

interface CollectorRun {
  acceptedPerS: number
  storedPerS: number
  peakRss: number
  retries: number
  /** CPU seconds of the collector and of this sending process during the run. */
  collectorCpu: number
  senderCpu: number
  wallSeconds: number
}

async function throughCollector(bodies: Uint8Array[]): Promise<CollectorRun> {
  const dir = tempDir('bench-collector')
  const child = spawn(
    process.execPath,
    ['bin/throughline.js', 'serve', '--data-dir', dir.path, '--otlp-port', String(OTLP_PORT), '--api-port', String(API_PORT), '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`http://127.0.0.1:${OTLP_PORT}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
      if (ready) break
      if (i > 300) throw new Error('collector did not become ready')
      await sleep(100)
    }
    const cpuBefore = cpuSeconds(child.pid!)
    const senderBefore = process.cpuUsage()
    const started = performance.now()
    const { retries } = await send(bodies)
    const accepted = performance.now()
    while ((await storedSpans()) < totalSpans) await sleep(20)
    const stored = performance.now()
    const peakRss = peakRssMiB(child.pid!)
    const sender = process.cpuUsage(senderBefore)
    return {
      collectorCpu: cpuSeconds(child.pid!) - cpuBefore,
      senderCpu: (sender.user + sender.system) / 1e6,
      wallSeconds: (stored - started) / 1000,
      acceptedPerS: totalSpans / ((accepted - started) / 1000),
      storedPerS: totalSpans / ((stored - started) / 1000),
      peakRss,
      retries,
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    dir.remove()
  }
}

/** The ceiling: the same rows, inserted straight into the same engine by @clickhouse/client. */
async function directInsert(bodies: Uint8Array[], rowsPerInsert: number): Promise<number> {
  const dir = tempDir('bench-direct')
  const config = resolveConfig({ dataDir: dir.path })
  const store = createStoreClient(config)
  await migrate(store, config)
  const limits = { maxAttributesPerRecord: 128, maxAttributeValueBytes: 8192, maxFutureSkewSeconds: 86_400, nowNs: BigInt(Date.now()) * 1_000_000n }
  const rows: object[] = []
  for (const body of bodies) {
    const decoded = decodeTracesProtobuf(Buffer.from(body), limits)
    if (!decoded.ok) throw new Error(decoded.message)
    for (const row of decoded.rows) rows.push(JSON.parse(spanRowJson(row)) as object)
  }
  const started = performance.now()
  for (let i = 0; i < rows.length; i += rowsPerInsert) {
    await store.client.insert({
      table: 'otel_traces',
      values: rows.slice(i, i + rowsPerInsert),
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: '' },
    })
  }
  const seconds = (performance.now() - started) / 1000
  await store.client.close()
  dir.remove()
  return rows.length / seconds
}

const t0 = performance.now()
const bodies = integrationSpanRequests(requests, spansPerRequest)
const bytes = bodies.reduce((s, b) => s + b.length, 0)
console.log(
  `traffic: ${requests} requests x ${spansPerRequest} spans (20 attributes each), ${(bytes / 1048576).toFixed(1)} MiB protobuf, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)
const collector = await throughCollector(bodies)
// Same batch size as the collector's segments carry on average in this run.
const ceiling = await directInsert(bodies, 50_000)
const line = (label: string, value: string): void => console.log(`${label.padEnd(44)} ${value}`)
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
line('accepted (2xx, fsync-ed in the spool)', `${Math.round(collector.acceptedPerS).toLocaleString('en')} spans/s`)
line('stored (first request -> last row in ClickHouse)', `${Math.round(collector.storedPerS).toLocaleString('en')} spans/s`)
line('ceiling (direct @clickhouse/client insert)', `${Math.round(ceiling).toLocaleString('en')} spans/s`)
line('stored / ceiling', `${((collector.storedPerS / ceiling) * 100).toFixed(0)} %`)
line('collector peak RSS', `${collector.peakRss.toFixed(0)} MiB`)
line('CPU: collector / sender / wall', `${collector.collectorCpu.toFixed(1)} s / ${collector.senderCpu.toFixed(1)} s / ${collector.wallSeconds.toFixed(1)} s`)
line('collector CPU per 1,000 spans stored', `${((collector.collectorCpu / totalSpans) * 1e6).toFixed(1)} ms`)
line('429/503 answers retried by the sender', String(collector.retries))
