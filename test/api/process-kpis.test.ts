// The instance KPI routes end to end: spans from the real OpenTelemetry SDK through the
// collector and the deriver, then cycle time, stuck, SLA and one instance's timeline through
// the API, and the 400/404 answers for bad input.
import { SpanKind, type Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { derivePass } from '../../processes/index.ts'
import { orderFlow } from '../processes/derive/order-flow.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

let running: RunningCollector
let api: FastifyInstance
const definition = orderFlow()
// Recent business times: the collector refuses spans older than its retention.
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / 3_600_000) * 3_600_000
const at = (minutes: number): number => T0 + minutes * 60_000

function step(tracer: Tracer, name: string, endMs: number, attributes: Record<string, string>): void {
  tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: endMs - 2_000, attributes }).end(endMs)
}

beforeAll(async () => {
  running = await startCollector()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crm-adapter' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
  })
  const tracer = provider.getTracer('api-test')
  // O1 completes (both deliveries shipped) in 90 minutes; O2 waits after so.created.
  step(tracer, 'POST /orders', at(0), { 'business.key.order': 'O1', 'business.value': '100.25', 'tenant.id': 'acme' })
  step(tracer, 'create sales order', at(5), { 'business.milestone': 'so.created', 'business.key.order': 'O1', 'business.key.so': 'S9' })
  step(tracer, 'ship', at(60), { 'business.milestone': 'delivery.shipped', 'business.key.so': 'S9', 'business.key.dlv': 'D1' })
  step(tracer, 'ship', at(90), { 'business.milestone': 'delivery.shipped', 'business.key.so': 'S9', 'business.key.dlv': 'D2' })
  step(tracer, 'POST /orders', at(10), { 'business.key.order': 'O2', 'business.value': '50', 'tenant.id': 'globex' })
  await provider.shutdown()
  await running.waitForRows('otel_traces', 5)
  await derivePass(running.store, definition, { by: 'ingested', fromMs: 0, toMs: Date.now() + 1_000 })
  api = await buildApiApp({ store: running.store, logger: running.logger, definitions: [definition] })
})
afterAll(async () => {
  await api.close()
  await running.close()
})

const window = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}&as_of=${new Date(T0 + 86_400_000).toISOString()}`

describe('GET /api/v1/processes/:process/kpis/cycle-time', () => {
  it('answers the completion cohort with its window, method and sample flags', async () => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/cycle-time?${window}` })
    expect(res.statusCode).toBe(200)
    const body = res.json<Record<string, unknown>>()
    expect(body).toMatchObject({
      process: 'order_flow',
      version: '3',
      clock: 'wall',
      quantileMethod: 'exact',
      window: { from: new Date(T0).toISOString() },
      completion: { count: 1, p50: 90 * 60, lowSample: true },
      start: { started: 2, completed: 1, censored: 1, method: 'kaplan-meier' },
    })
  })
})

describe('GET /api/v1/processes/:process/kpis/summary', () => {
  it('answers the window in one: arrivals, completions, WIP, cycle time and quality with low-sample flags', async () => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/summary?${window}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      arrived: 2,
      completed: 1,
      wipAtEnd: 1,
      nMin: 20,
      cycleTimeSeconds: { count: 1, p50: 5_400, lowSample: true },
      quality: { instanceFailureRate: 0, firstPassYield: 1, recoveryRate: null, lowSample: true },
      stuck: { stuck: 0 },
      slas: [],
    })
  })
})

describe('GET /api/v1/processes/:process/kpis/stuck', () => {
  it('answers with its paging and no stuck instance when the definition sets no stage threshold', async () => {
    // No stage thresholds in order_flow: nothing is judged stuck.
    const res = await api.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/stuck?${window}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ stuck: 0, unknownLateData: 0, valueAtRisk: [], instances: [], limit: 100, offset: 0 })
  })
})

describe('GET /api/v1/processes/:process/instances', () => {
  it('finds O1 by its delivery key and shows each step with the span behind it', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/v1/processes/order_flow/instances?key=dlv=D2' })
    expect(res.statusCode).toBe(200)
    const body = res.json<{
      instances: Array<{ instance: string; keys: string[]; events: Array<{ milestone: string; span: { name: string; durationMs: number } | null }> }>
    }>()
    expect(body.instances.map((i) => i.instance)).toEqual(['O1'])
    expect(body.instances[0]!.keys).toEqual(['dlv=D1', 'dlv=D2', 'order=O1', 'so=S9'])
    expect(body.instances[0]!.events.map((e) => [e.milestone, e.span?.name, e.span?.durationMs])).toEqual([
      ['order.created', 'POST /orders', 2_000],
      ['so.created', 'create sales order', 2_000],
      ['delivery.shipped', 'ship', 2_000],
      ['delivery.shipped', 'ship', 2_000],
    ])
  })

  it('answers 404 naming the key when no instance holds it, and 400 for a key without a type', async () => {
    const missing = await api.inject({ method: 'GET', url: '/api/v1/processes/order_flow/instances?key=dlv=D404' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ code: 'TL_NOT_FOUND', message: 'key: no instance of order_flow holds dlv=D404' })
    const bad = await api.inject({ method: 'GET', url: '/api/v1/processes/order_flow/instances?key=D2' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json<{ message: string }>().message).toContain('key')
  })
})

describe('bad input', () => {
  it.each([
    ['/api/v1/processes/order_flow/kpis/cycle-time?from=yesterday', 400, 'querystring/from must match format "date-time"'],
    [`/api/v1/processes/order_flow/kpis/cycle-time?from=${new Date(T0 + 1).toISOString()}&to=${new Date(T0).toISOString()}`, 400, 'from: must be before to'],
    ['/api/v1/processes/order_flow/kpis/cycle-time?clock=sundial', 400, 'clock'],
    ['/api/v1/processes/order_flow/kpis/sla?sla=nope', 400, 'sla: order_flow has no SLA named "nope"'],
    ['/api/v1/processes/order_flow/kpis/stuck?limit=0', 400, 'limit'],
    ['/api/v1/processes/nope/kpis/stuck', 404, 'process: no definition named "nope"'],
  ])('%s -> %i', async (url, status, message) => {
    const res = await api.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(status)
    expect(res.json<{ message: string }>().message).toContain(message)
  })
})

describe('the facts rollup behind the instance KPIs (ADR 0005)', () => {
  it('gives the same answers "as of now" as the facts recomputed from the events', async () => {
    // derivePass above kept the rollup of O1 and O2; this app reads it where as_of is now.
    const rolled = await buildApiApp({ store: running.store, logger: running.logger, definitions: [definition], facts: 'rollup' })
    try {
      // One as_of for both: now, so the rollup answers (a past as_of goes to the events).
      const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}&as_of=${new Date().toISOString()}`
      const paths = ['summary', 'cycle-time', 'stuck', 'sla', 'stages', 'throughput?bucket=hour&', 'rework', 'conformance']
      for (const path of paths) {
        const url = `/api/v1/processes/order_flow/kpis/${path}${path.includes('?') ? '' : '?'}${range}`
        const [fromEvents, fromRollup] = await Promise.all([api.inject({ method: 'GET', url }), rolled.inject({ method: 'GET', url })])
        expect(fromRollup.statusCode, url).toBe(200)
        expect(fromRollup.json(), url).toEqual(fromEvents.json())
      }
      // The event-log answers read the rollup's traces for the definition's root key.
      const window = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`
      for (const path of ['cases/summary', 'map']) {
        const url = `/api/v1/processes/order_flow/${path}?${window}`
        const [fromEvents, fromRollup] = await Promise.all([api.inject({ method: 'GET', url }), rolled.inject({ method: 'GET', url })])
        expect(fromRollup.statusCode, url).toBe(200)
        expect(fromRollup.json(), url).toEqual(fromEvents.json())
      }
      const cases = await rolled.inject({ method: 'GET', url: `/api/v1/processes/order_flow/cases/summary?${window}` })
      expect(cases.json()).toMatchObject({ cases: 2 })
      // Hand-checked through the rollup: 2 arrived, O1 completed in 90 minutes, O2 open.
      const summary = await rolled.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/summary?${range}` })
      expect(summary.json()).toMatchObject({ arrived: 2, completed: 1, cycleTimeSeconds: { count: 1, p50: 5_400 } })
    } finally {
      await rolled.close()
    }
  })
})

describe('instance filters: version, tenant, attr', () => {
  const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}&as_of=${new Date(T0 + 86_400_000).toISOString()}`
  const summary = async (filter: string): Promise<{ arrived: number; completed: number; wipAtEnd: number }> => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/summary?${range}&${filter}` })
    expect(res.statusCode, filter).toBe(200)
    return res.json()
  }

  it('counts only the matching instances, from the events and from the rollup alike', async () => {
    // O1 (acme, 100.25) completed; O2 (globex, 50) open; both carry definition version 3.
    expect(await summary('tenant=acme')).toMatchObject({ arrived: 1, completed: 1, wipAtEnd: 0 })
    expect(await summary('tenant=globex')).toMatchObject({ arrived: 1, completed: 0, wipAtEnd: 1 })
    expect(await summary('tenant=initech')).toMatchObject({ arrived: 0, completed: 0 })
    expect(await summary('version=3')).toMatchObject({ arrived: 2, completed: 1 })
    expect(await summary('version=4')).toMatchObject({ arrived: 0 })
    expect(await summary('attr=business.value=50')).toMatchObject({ arrived: 1, completed: 0 })
    expect(await summary('attr=business.value=50&attr=tenant.id=acme')).toMatchObject({ arrived: 0 })
    const rolled = await buildApiApp({ store: running.store, logger: running.logger, definitions: [definition], facts: 'rollup' })
    try {
      const now = new Date().toISOString()
      const url = `/api/v1/processes/order_flow/kpis/summary?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}&as_of=${now}&tenant=acme`
      expect((await rolled.inject({ method: 'GET', url })).json()).toMatchObject({ arrived: 1, completed: 1 })
    } finally {
      await rolled.close()
    }
  })

  it.each([
    ['attr=novalue', 'attr'],
    ['attr=tenant.id=acme&tenant=acme', 'tenant'],
    ['attr=region=EU&attr=region=US', 'attr'],
    ['version=', 'version'],
  ])('answers 400 naming the field for %s', async (filter, field) => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/processes/order_flow/kpis/summary?${range}&${filter}` })
    expect(res.statusCode).toBe(400)
    expect(res.json<{ message: string }>().message).toContain(field)
  })
})
