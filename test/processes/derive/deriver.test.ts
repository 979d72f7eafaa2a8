// The deriver end to end: spans and log records from the real OpenTelemetry SDK reach the
// collector, the deriver turns them into business events of a definition, and correlation
// puts them into instances: aliases across systems, children, span links, reference keys that
// must not link, repeats stored once, arrival in any order.
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { backfill, derivePass, memberEventsCte, startDeriver, type ProcessDefinition } from '../../../processes/index.ts'
import { queryRows } from '../../../store/index.ts'
import { startCollector, type RunningCollector } from '../../support/running-collector.ts'
import { orderFlow } from './order-flow.ts'

let running: RunningCollector
let definition: ProcessDefinition

const T0 = Date.parse('2026-11-02T09:00:00Z')
const at = (minutes: number): number => T0 + minutes * 60_000

/** Sends spans through the real SDK and OTLP/protobuf exporter, and waits until they are stored. */
async function sendSpans(service: string, emit: (tracer: Tracer) => void): Promise<void> {
  let ended = 0
  const counter = { onStart: () => undefined, onEnd: () => void ended++, forceFlush: async () => undefined, shutdown: async () => undefined }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [counter, new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
  })
  const before = await running.count('otel_traces')
  emit(provider.getTracer('deriver-test'))
  await provider.shutdown()
  expect(await running.waitForRows('otel_traces', before + ended)).toBe(before + ended)
}

/** One finished span at a business time: business attributes as the SDK hooks set them. */
function step(tracer: Tracer, name: string, endMs: number, attributes: Record<string, string>, options: { links?: Span[]; failed?: boolean } = {}): Span {
  const span = tracer.startSpan(name, {
    kind: SpanKind.CLIENT,
    startTime: endMs - 1_000,
    attributes,
    links: (options.links ?? []).map((linked) => ({ context: linked.spanContext() })),
  })
  if (options.failed === true) span.setStatus({ code: SpanStatusCode.ERROR })
  span.end(endMs)
  return span
}

/** Everything ingested so far, in one pass (the live deriver walks the same window in steps). */
const deriveAll = (d = definition) => derivePass(running.store, d, { by: 'ingested', fromMs: 0, toMs: Date.now() + 1_000 })

/** instance -> sorted milestones of its events, for instances among `ids`. */
async function instancesOf(process: string, rootKey: string): Promise<Record<string, string[]>> {
  const cte = memberEventsCte({ process, rootKey })
  const rows = await queryRows<{ instance: string; milestones: string[] }>(
    running.store,
    `WITH ${cte.sql} SELECT instance, arraySort(groupArray(Milestone)) AS milestones FROM member_events GROUP BY instance ORDER BY instance`,
    cte.params,
    { tag: 'test.instances' },
  )
  return Object.fromEntries(rows.map((r) => [r.instance, r.milestones]))
}

beforeAll(async () => {
  running = await startCollector()
  definition = orderFlow()
})
afterAll(async () => {
  await running.close()
})

describe('deriving business events from spans', () => {
  it('recognises milestones, takes keys, status, system and the span end as business time, and correlates aliases and children', async () => {
    await sendSpans('crm-adapter', (tracer) => {
      step(tracer, 'POST /orders', at(0), { 'business.key.order': 'O1', 'business.key.customer': 'C-1', 'business.value': '1200.50' })
      step(tracer, 'create sales order', at(5), {
        'business.process': 'order_flow',
        'business.milestone': 'so.created',
        'business.system': 'ERP',
        'business.key.order': 'O1',
        'business.key.so': 'S9',
      })
      step(tracer, 'ship', at(60), { 'business.milestone': 'delivery.shipped', 'business.key.so': 'S9', 'business.key.dlv': 'D1' })
      step(tracer, 'ship', at(90), { 'business.milestone': 'delivery.shipped', 'business.key.so': 'S9', 'business.key.dlv': 'D2' })
      step(tracer, 'post invoice', at(95), { 'business.milestone': 'invoice.posted', 'business.key.dlv': 'D2', 'business.key.inv': 'I5' })
      // Not this process's: another process's milestone, and a span nothing recognises.
      step(tracer, 'POST /orders', at(1), { 'business.process': 'procure_to_pay', 'business.key.order': 'O1' })
      step(tracer, 'GET /health', at(2), {})
    })
    const result = await deriveAll()
    expect(result).toMatchObject({ events: 5, stored: 5, undeclared: {} })

    const events = await queryRows<Record<string, unknown>>(
      running.store,
      `SELECT Milestone, toUnixTimestamp64Milli(Ts) AS ts, Status, System, Keys, ProcessVersion, Source, Attrs['business.value'] AS value
       FROM business_events FINAL WHERE Process = 'order_flow' ORDER BY Ts`,
      {},
      { tag: 'test.events' },
    )
    expect(events).toEqual([
      {
        Milestone: 'order.created',
        ts: String(at(0)),
        Status: 'ok',
        System: 'crm-adapter',
        Keys: { order: 'O1', customer: 'C-1' },
        ProcessVersion: '3',
        Source: 'span',
        value: '1200.50',
      },
      {
        Milestone: 'so.created',
        ts: String(at(5)),
        Status: 'ok',
        System: 'ERP',
        Keys: { order: 'O1', so: 'S9' },
        ProcessVersion: '3',
        Source: 'span',
        value: '',
      },
      {
        Milestone: 'delivery.shipped',
        ts: String(at(60)),
        Status: 'ok',
        System: 'crm-adapter',
        Keys: { so: 'S9', dlv: 'D1' },
        ProcessVersion: '3',
        Source: 'span',
        value: '',
      },
      {
        Milestone: 'delivery.shipped',
        ts: String(at(90)),
        Status: 'ok',
        System: 'crm-adapter',
        Keys: { so: 'S9', dlv: 'D2' },
        ProcessVersion: '3',
        Source: 'span',
        value: '',
      },
      {
        Milestone: 'invoice.posted',
        ts: String(at(95)),
        Status: 'ok',
        System: 'crm-adapter',
        Keys: { dlv: 'D2', inv: 'I5' },
        ProcessVersion: '3',
        Source: 'span',
        value: '',
      },
    ])
    expect(await instancesOf('order_flow', 'order')).toEqual({
      O1: ['delivery.shipped', 'delivery.shipped', 'invoice.posted', 'order.created', 'so.created'],
    })
  })

  it('stores a repeated delivery once and finds nothing new when the same rows are derived again', async () => {
    const again = await deriveAll()
    expect(again).toMatchObject({ events: 5, stored: 0 })
    const [row] = await queryRows<{ n: string }>(
      running.store,
      "SELECT count() AS n FROM business_events WHERE Process = 'order_flow'",
      {},
      { tag: 'test.count' },
    )
    expect(Number(row?.n)).toBe(5)
  })

  it('never links two orders through a reference key (one customer, two orders)', async () => {
    await sendSpans('crm-adapter', (tracer) => {
      step(tracer, 'POST /orders', at(200), { 'business.key.order': 'O2', 'business.key.customer': 'C-1' })
      step(tracer, 'invoice', at(260), { 'business.milestone': 'invoice.posted', 'business.key.customer': 'C-1', 'business.key.inv': 'I-orphan' })
    })
    await deriveAll()
    const instances = await instancesOf('order_flow', 'order')
    expect(instances.O2).toEqual(['order.created'])
    // The invoice reached no order: its only link is the customer, a reference key.
    expect(instances.O1).not.toContain('I-orphan')
    expect(Object.keys(instances).sort()).toEqual(['O1', 'O2'])
  })

  it('puts a batch span with links to three orders into each of the three, though it was derived before them', async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'fin-batch' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
    })
    const tracer = provider.getTracer('deriver-test')
    const before = await running.count('otel_traces')
    const orders = ['O11', 'O12', 'O13']
    const producers = orders.map((order) => tracer.startSpan('POST /orders', { startTime: at(299), attributes: { 'business.key.order': order } }))
    step(tracer, 'post batch 7', at(400), {}, { links: producers })
    await provider.forceFlush()
    await running.waitForRows('otel_traces', before + 1)
    await deriveAll()
    // Linked to spans nobody has seen: in no instance yet.
    expect(Object.keys(await instancesOf('order_flow', 'order')).sort()).toEqual(['O1', 'O2'])

    for (const span of producers) span.end(at(300))
    await provider.shutdown()
    await running.waitForRows('otel_traces', before + 4)
    await deriveAll()
    const instances = await instancesOf('order_flow', 'order')
    for (const order of orders) expect(instances[order]).toEqual(['batch.posted', 'order.created'])
    expect(instances.O1).not.toContain('batch.posted')
    // The deriver kept the facts rollup of every instance it touched: the batch counts in each
    // of the three (2 events), and O1 (5 events, completed at the later shipment) is as derived.
    const rollup = await queryRows<{ Instance: string; Events: number; Outcome: string; LastMilestone: string }>(
      running.store,
      "SELECT Instance, Events, Outcome, LastMilestone FROM instance_facts FINAL WHERE Process = 'order_flow' AND NOT Removed ORDER BY Instance",
      {},
      { tag: 'test.rollup' },
    )
    expect(rollup).toEqual([
      { Instance: 'O1', Events: 5, Outcome: 'completed', LastMilestone: 'invoice.posted' },
      ...orders.map((order) => ({ Instance: order, Events: 2, Outcome: '', LastMilestone: 'batch.posted' })),
      // The other order of the reference-key test: created, nothing since.
      { Instance: 'O2', Events: 1, Outcome: '', LastMilestone: 'order.created' },
    ])
  })
})

describe('backfill', () => {
  it('derives a time range again with a changed definition: its version tags the events, nothing is counted twice', async () => {
    const v4 = orderFlow()
    const changed = { ...v4, version: '4' as typeof v4.version }
    const result = await backfill(running.store, changed, { fromNs: BigInt(at(-60)) * 1_000_000n, toNs: BigInt(at(120)) * 1_000_000n })
    // The five order_flow events of the first test (their spans start within the range).
    expect(result).toMatchObject({ events: 5, slices: 3 })
    const rows = await queryRows<{ version: string; n: string }>(
      running.store,
      "SELECT ProcessVersion AS version, count() AS n FROM business_events FINAL WHERE Process = 'order_flow' AND toUnixTimestamp64Milli(Ts) < {end:Int64} GROUP BY version",
      { end: String(at(120)) },
      { tag: 'test.versions' },
    )
    expect(rows).toEqual([{ version: '4', n: '5' }])
  })
})

describe('the live deriver', () => {
  it('derives rows as they arrive, keeps its cursor across a restart and derives nothing twice', async () => {
    const process = orderFlow('order_flow_live')
    const passes: number[] = []
    const first = startDeriver({
      store: running.store,
      definitions: [process],
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
      settleMs: 0,
      onPass: (_p, r) => passes.push(r.stored),
    })
    await first.runOnce()
    await sendSpans('crm-adapter', (tracer) => {
      step(tracer, 'POST /orders', at(500), { 'business.process': 'order_flow_live', 'business.key.order': 'L1' })
    })
    await first.runOnce()
    await first.stop()
    const [cursor] = await queryRows<{ n: string }>(
      running.store,
      "SELECT count() AS n FROM deriver_cursors WHERE Process = 'order_flow_live'",
      {},
      { tag: 'test.cursor' },
    )
    expect(Number(cursor?.n)).toBeGreaterThan(0)

    const second = startDeriver({
      store: running.store,
      definitions: [process],
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
      settleMs: 0,
      onPass: (_p, r) => passes.push(r.stored),
    })
    await sendSpans('crm-adapter', (tracer) => {
      step(tracer, 'POST /orders', at(501), { 'business.process': 'order_flow_live', 'business.key.order': 'L2' })
    })
    await second.runOnce()
    await second.stop()
    // It derived every POST /orders span (the recogniser does not name a process), each once.
    const [stored] = await queryRows<{ rows: string; ids: string }>(
      running.store,
      "SELECT count() AS rows, uniqExact(EventId) AS ids FROM business_events WHERE Process = 'order_flow_live'",
      {},
      { tag: 'test.count' },
    )
    expect(passes.reduce((a, b) => a + b, 0)).toBe(Number(stored?.rows))
    expect(stored?.rows).toBe(stored?.ids)
    const live = await instancesOf('order_flow_live', 'order')
    expect(live.L1).toEqual(['order.created'])
    expect(live.L2).toEqual(['order.created'])
  })
})
