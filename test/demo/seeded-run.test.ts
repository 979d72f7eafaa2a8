// The simulation itself, with in-memory exporters instead of a collector: a seed and a start
// replay the same records, the virtual clock replays history fast and never dates a record
// after the wall clock, a live run keeps to real time, and the faults that need no store to
// be seen: a consumer stopped for the second hour backs the queue up and drains it, and
// duplicate deliveries post the same bank batch twice.
import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { parseFaultSpec, realInstantFor, runDemo, startDemo, type DemoOptions, type DemoSink, type DemoSummary, type PostedEvent } from '../../demo/index.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

interface MemorySink extends DemoSink {
  readonly spans: ReadableSpan[]
  readonly logs: ReadableLogRecord[]
  readonly posts: PostedEvent[][]
}

/** Real SDK exporters that keep what they are given (they forget it on shutdown), and posted batches. */
function memorySink(): MemorySink {
  const spans: ReadableSpan[] = []
  const logs: ReadableLogRecord[] = []
  const posts: PostedEvent[][] = []
  return {
    target: 'memory',
    spans,
    logs,
    posts,
    spanExporter: () => {
      const exporter = new InMemorySpanExporter()
      const exportSpans = exporter.export.bind(exporter)
      exporter.export = (items, done) => {
        spans.push(...items)
        exportSpans(items, done)
      }
      return exporter
    },
    logExporter: () => {
      const exporter = new InMemoryLogRecordExporter()
      const exportLogs = exporter.export.bind(exporter)
      exporter.export = (items, done) => {
        logs.push(...items)
        exportLogs(items, done)
      }
      return exporter
    },
    postEvents: async (events) => {
      posts.push([...events])
      return { accepted: events.length, rejected: 0 }
    },
  }
}

type RunOptions = Omit<DemoOptions, 'scenario' | 'sink'>

async function run(options: RunOptions): Promise<{ sink: MemorySink; summary: DemoSummary }> {
  const sink = memorySink()
  return { sink, summary: await runDemo({ scenario: 'lead-to-cash', sink, ...options }) }
}

const spanShape = (s: ReadableSpan) => ({
  service: s.resource.attributes['service.name'],
  name: s.name,
  kind: s.kind,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parent: s.parentSpanContext?.spanId,
  start: s.startTime,
  end: s.endTime,
  attributes: s.attributes,
  status: s.status.code,
})

const logShape = (l: ReadableLogRecord) => ({ service: l.resource.attributes['service.name'], time: l.hrTime, body: l.body, attributes: l.attributes })

const NOW = Date.parse('2026-11-27T10:00:00Z')
const FIXED: RunOptions = {
  seed: 42,
  speed: 'max',
  historyMs: 3 * HOUR,
  durationMs: 0,
  ordersPerHour: 30,
  faults: [parseFaultSpec('erp_down@1h+20m')],
  nowMs: NOW,
}

describe('a seeded simulation', () => {
  it('sends the same spans, log records and events for the same seed and start, and others for another seed', async () => {
    const first = await run(FIXED)
    const again = await run(FIXED)
    const other = await run({ ...FIXED, seed: 43 })
    expect(first.sink.spans.length).toBeGreaterThan(500)
    // Compared as sets: each service's exporter runs on its own timer, so on a busy machine
    // the services' batches can reach the sink in another order.
    const spans = (r: typeof first) => r.sink.spans.map(spanShape).sort((a, b) => (a.traceId + a.spanId < b.traceId + b.spanId ? -1 : 1))
    const logs = (r: typeof first) => r.sink.logs.map(logShape).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    expect(spans(again)).toEqual(spans(first))
    expect(logs(again)).toEqual(logs(first))
    expect(again.summary.report.counters).toEqual(first.summary.report.counters)
    expect(other.summary.report.orders.map((o) => o.wonAt)).not.toEqual(first.summary.report.orders.map((o) => o.wonAt))
  })

  it('simulates from the history start to the command start, and dates nothing after it', async () => {
    const { sink, summary } = await run(FIXED)
    expect(summary.fromMs).toBe(NOW - 3 * HOUR)
    expect(summary.toMs).toBe(NOW)
    const ends = sink.spans.map((s) => s.endTime[0] * 1000 + s.endTime[1] / 1e6)
    expect(Math.min(...sink.spans.map((s) => s.startTime[0] * 1000))).toBeGreaterThanOrEqual(NOW - 3 * HOUR - 1_000)
    expect(Math.max(...ends)).toBeLessThanOrEqual(NOW + 40_000)
  })
})

describe('the virtual clock', () => {
  it('runs simulated time speed times faster from the start, but never ahead of the wall clock', () => {
    const pace = { simStartMs: 1_000_000, realStartMs: 5_000_000, speed: 60 }
    // An hour into the simulation is a minute of real time, unless that simulated instant is still to come.
    expect(realInstantFor(pace, 1_000_000 + HOUR)).toBe(5_000_000 + MINUTE)
    expect(realInstantFor(pace, 9_000_000)).toBe(9_000_000)
    expect(realInstantFor({ ...pace, speed: 'max' }, 1_000_000 + HOUR)).toBe(1_000_000 + HOUR)
  })

  it('replays two simulated hours in about two seconds at speed 3600', async () => {
    const started = Date.now()
    const { summary } = await run({ seed: 1, speed: 3600, historyMs: 2 * HOUR, durationMs: 0, ordersPerHour: 30, faults: [] })
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(1_900)
    expect(elapsed).toBeLessThan(8_000)
    expect(summary.report.ordersWon).toBeGreaterThan(30)
  })

  it('runs live in real time after the history, until the duration is over or it is stopped', async () => {
    const started = Date.now()
    const { summary } = await run({ seed: 1, speed: 'max', historyMs: 0, durationMs: 2_500, ordersPerHour: 7_200, faults: [] })
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400)
    expect(summary.toMs - summary.fromMs).toBeGreaterThanOrEqual(2_500)
    // Two orders a second from the start (the minute the command started in) to 2.5 s after it.
    const expected = (summary.toMs - summary.fromMs) / 500
    expect(summary.report.ordersWon).toBeGreaterThanOrEqual(Math.floor(expected * 0.5))
    expect(summary.report.ordersWon).toBeLessThanOrEqual(Math.ceil(expected * 1.6) + 3)
    const demo = startDemo({ scenario: 'lead-to-cash', sink: memorySink(), seed: 1, speed: 'max', historyMs: 0, ordersPerHour: 60, faults: [] })
    const stopped = await demo.stop()
    expect(stopped.toMs - Date.now()).toBeLessThanOrEqual(0)
  })
})

describe('faults seen without a store', () => {
  it('consumer_stopped for the second hour: no delivery is made in it, the queue backs up and drains after', async () => {
    const { summary } = await run({ ...FIXED, faults: [parseFaultSpec('consumer_stopped@1h+1h')] })
    const stopFrom = summary.fromMs + HOUR
    const stopTo = stopFrom + HOUR
    const deliveries = summary.report.orders.flatMap((o) => o.deliveries)
    const made = deliveries.filter((d) => d.createdAt !== undefined)
    expect(made.filter((d) => d.createdAt! >= stopFrom && d.createdAt! < stopTo)).toEqual([])
    expect(summary.report.counters.deliveryBacklogMax).toBeGreaterThan(5)
    // Everything published before the restart was delivered right after it.
    const waited = deliveries.filter((d) => d.publishedAt! >= stopFrom && d.publishedAt! < stopTo)
    expect(waited.length).toBeGreaterThan(5)
    for (const d of waited) expect(d.createdAt! - stopTo).toBeLessThan(5 * MINUTE)
  })

  it('duplicate_deliveries: some bank statement batches are posted twice, with the same event ids', async () => {
    const { sink, summary } = await run({
      seed: 9,
      speed: 'max',
      historyMs: 36 * HOUR,
      durationMs: 0,
      ordersPerHour: 10,
      faults: [parseFaultSpec('duplicate_deliveries')],
      nowMs: NOW,
    })
    expect(summary.events.duplicates).toBeGreaterThan(0)
    const ids = sink.posts.flatMap((batch) => batch.map((e) => e.event_id))
    const paid = summary.report.orders.flatMap((o) => o.payments).filter((p) => p.statementAt !== undefined)
    expect(new Set(ids).size).toBe(paid.length)
    const copies = new Map<string, number>()
    for (const batch of sink.posts) copies.set(JSON.stringify(batch), (copies.get(JSON.stringify(batch)) ?? 0) + 1)
    const twice = [...copies].filter(([, n]) => n === 2)
    expect([...copies.values()].every((n) => n <= 2)).toBe(true)
    expect(twice.length).toBe(summary.events.duplicates)
    expect(ids.length - paid.length).toBe(twice.reduce((n, [batch]) => n + (JSON.parse(batch) as unknown[]).length, 0))
    expect(summary.telemetry.duplicates).toBeGreaterThan(0)
  })
})
