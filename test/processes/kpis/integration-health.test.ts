// Integration health (K6 and the integration KPIs) over spans the real OpenTelemetry SDK made
// with the throughline SDK hooks and sent over OTLP to a running collector: attempts, operations,
// retries, error classes, operation outcomes against the retry horizon, exact latency quantiles,
// the half-open window, source freshness and the routes' bad-input answers, all hand-checked.
import { type Span, type Tracer } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs'
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { integrationRoutes, type IntegrationHealthAnswer, type SourceFreshnessAnswer } from '../../../api/integration-routes.ts'
import { ErrorCode, errorBody, ThroughlineError } from '../../../core/errors.ts'
import { DEAD_LETTER_ATTRIBUTE, integrationHealth, sourceFreshness, type IntegrationHealthRow, type IntegrationScope } from '../../../processes/index.ts'
import {
  ErrorType,
  IntegrationError,
  recordBusinessEvent,
  recordIntegrationFailure,
  startIntegrationSpan,
  withIntegrationSpan,
  type IntegrationSpanOptions,
} from '../../../sdk/index.ts'
import { startCollector, type RunningCollector } from '../../support/running-collector.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const MINUTE = 60_000
const at = (minutes: number): number => T0 + minutes * MINUTE
const iso = (ms: number): string => new Date(ms).toISOString()
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
/** The reference time of the fixed scenarios: three hours after T0. */
const NOW = new Date(at(180))

let running: RunningCollector
let api: FastifyInstance
let spansSent = 0
let realTimeStart = 0
let realTimeEnd = 0

const countSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => void spansSent++,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
}

/** A service exporting over OTLP/protobuf to the running collector, as integration code would. */
async function asService(serviceName: string, emit: (tracer: Tracer) => Promise<void> | void): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [countSpans, new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
  })
  await emit(provider.getTracer('integration-health-test'))
  await provider.shutdown()
}

/** One attempt at a known start and duration, failed by `failure` when given, via the SDK hooks. */
function attempt(
  tracer: Tracer,
  name: string,
  options: IntegrationSpanOptions,
  startMs: number,
  durationMs: number,
  failure?: unknown,
  mark?: (span: Span) => void,
): void {
  const span = startIntegrationSpan(tracer, name, { ...options, startTime: startMs })
  mark?.(span)
  if (failure !== undefined) recordIntegrationFailure(span, failure)
  span.end(startMs + durationMs)
}

const deliveries = (operationId: string, attemptNo: number, attributes?: IntegrationSpanOptions['attributes']): IntegrationSpanOptions => ({
  integration: 'erp-to-wms-deliveries',
  sourceSystem: 'ERP',
  targetSystem: 'WMS',
  operationId,
  attempt: attemptNo,
  ...(attributes !== undefined ? { attributes } : {}),
})

const prices: IntegrationSpanOptions = { integration: 'erp-to-crm-prices', sourceSystem: 'ERP', targetSystem: 'CRM' }
/** One OTLP export request, as an exporter sends it. */
async function exportOnce(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<void> {
  const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve))
  if (result.code !== ExportResultCode.SUCCESS) throw result.error ?? new Error('export failed')
}

const timedOut = Object.assign(new Error('connect ETIMEDOUT 10.0.0.7:443'), { code: 'ETIMEDOUT' })

beforeAll(async () => {
  running = await startCollector()

  // ERP -> WMS deliveries, five operations (minutes after T0; every attempt lasts 1 s):
  // D1 mapping 0, validation 5: last failed 2 h 55 m before NOW            -> failed
  // D2 ETIMEDOUT 10, HTTP 504 at 160: last failed 19 m 59 s before NOW     -> in_retry
  // D3 '503' 20, HTTP 500 25, ok 30                                         -> succeeded, recovered
  // D4 TypeError 40, HTTP 404 dead-lettered at 170                          -> failed (dead letter)
  // D5 ok 50                                                                -> succeeded
  await asService('delivery-sync', (tracer) => {
    const name = 'POST /deliveries'
    attempt(tracer, name, deliveries('D1', 1), at(0), 1000, new IntegrationError(ErrorType.mapping, 'no WMS site for plant 12'))
    attempt(tracer, name, deliveries('D1', 2), at(5), 1000, new IntegrationError(ErrorType.validation, 'quantity must be positive'))
    attempt(tracer, name, deliveries('D2', 1), at(10), 1000, timedOut)
    attempt(tracer, name, deliveries('D2', 2, { 'http.response.status_code': 504 }), at(160), 1000, new Error('gateway timeout'))
    attempt(tracer, name, deliveries('D3', 1), at(20), 1000, new IntegrationError('503', 'WMS unavailable'))
    attempt(tracer, name, deliveries('D3', 2, { 'http.response.status_code': 500 }), at(25), 1000, new Error('internal server error'))
    attempt(tracer, name, deliveries('D3', 3), at(30), 1000)
    attempt(tracer, name, deliveries('D4', 1), at(40), 1000, new TypeError("cannot read properties of undefined (reading 'lines')"))
    attempt(tracer, name, deliveries('D4', 2, { 'http.response.status_code': 404 }), at(170), 1000, new Error('not found'), (span) =>
      span.setAttribute(DEAD_LETTER_ATTRIBUTE, true),
    )
    attempt(tracer, name, deliveries('D5', 1), at(50), 1000)
    // WMS -> ERP stock: one failed attempt 4 min 59 s before NOW, nothing decided yet.
    const stock = { integration: 'wms-to-erp-stock', sourceSystem: 'WMS', targetSystem: 'ERP', operationId: 'S1', attempt: 1 }
    attempt(tracer, 'POST /stock', stock, at(175), 1000, new IntegrationError(ErrorType.validation, 'unknown material'))
  })

  // ERP -> CRM prices: 20 calls without operation ids, 10, 20, ..., 200 ms; and three currency
  // calls at T0, just before T0 + 1 h and exactly at T0 + 1 h, for the half-open window.
  await asService('price-feed', (tracer) => {
    for (let i = 0; i < 20; i++) attempt(tracer, 'GET /prices', prices, at(i), (i + 1) * 10)
    attempt(tracer, 'GET /currencies', prices, at(0), 50)
    attempt(tracer, 'GET /currencies', prices, at(60) - 1, 50)
    attempt(tracer, 'GET /currencies', prices, at(60), 50)
  })

  // CRM -> ERP sales orders, now: a real retry loop around withIntegrationSpan; the ERP answers
  // 503 twice, then takes the order.
  realTimeStart = Date.now()
  await asService('order-sync', async (tracer) => {
    for (let attemptNo = 1; ; attemptNo++) {
      const options = { integration: 'crm-to-erp-orders', sourceSystem: 'CRM', targetSystem: 'ERP', operationId: 'O-1001', attempt: attemptNo }
      try {
        await withIntegrationSpan(tracer, 'POST /sales-orders', options, () => {
          if (attemptNo < 3) throw new IntegrationError('503', 'ERP busy')
        })
        break
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error
      }
    }
  })
  realTimeEnd = Date.now() + 1

  // Two calls of customer-sync, the first delivered twice: alone, then again with the second in
  // one request (an exporter retrying a batch it was not sure of).
  const memory = new InMemorySpanExporter()
  const dupProvider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'customer-sync' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  })
  const dupTracer = dupProvider.getTracer('integration-health-test')
  const customers: IntegrationSpanOptions = { integration: 'crm-to-erp-customers', sourceSystem: 'CRM', targetSystem: 'ERP' }
  attempt(dupTracer, 'PUT /customers', customers, at(100), 10)
  attempt(dupTracer, 'PUT /customers', customers, at(101), 10)
  const [first, second] = memory.getFinishedSpans()
  const exporter = new OTLPTraceExporter({ url: `${running.url}/v1/traces` })
  await exportOnce(exporter, [first!])
  await exportOnce(exporter, [first!, second!])
  await exporter.shutdown()
  await dupProvider.shutdown()
  spansSent += 3

  // A business event from the finance system, 1 h 30 m after T0 (its business time).
  const logs = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fin-adapter' }),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${running.url}/v1/logs` }) })],
  })
  recordBusinessEvent(logs.getLogger('integration-health-test'), {
    process: 'order_flow',
    milestone: 'invoice.posted',
    keys: { invoice_id: 'INV-7' },
    system: 'FIN',
    time: new Date(at(90)),
  })
  await logs.shutdown()

  expect(await running.waitForRows('otel_traces', spansSent)).toBe(spansSent)
  expect(await running.waitForRows('otel_logs', 1)).toBe(1)

  api = Fastify()
  // The API's error shape (api/app.ts), so the bad-input answers read as they will in the service.
  api.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const code = error instanceof ThroughlineError ? error.code : ErrorCode.badRequest
    return reply.code(error.statusCode ?? 500).send(errorBody(code, error.message))
  })
  await api.register(integrationRoutes, { store: running.store })
  await api.ready()
}, 30_000)

afterAll(async () => {
  await api?.close()
  await running?.close()
})

async function endpoint(scope: IntegrationScope, name: string): Promise<IntegrationHealthRow> {
  const rows = await integrationHealth(running.store, scope)
  const row = rows.find((r) => r.endpoint === name)
  expect(row, `${name} in ${rows.map((r) => r.endpoint).join(', ')}`).toBeDefined()
  return row!
}

const fixedWindow: IntegrationScope = { fromNs: ns(T0), toNs: ns(at(180)), now: NOW }

describe('integration health', () => {
  it('counts an operation that fails twice then succeeds as 1 operation, 3 attempts, attempt error rate 2/3, no operation failure', async () => {
    const row = await endpoint({ fromNs: ns(realTimeStart), toNs: ns(realTimeEnd), integration: 'crm-to-erp-orders' }, 'POST /sales-orders')
    expect(row).toMatchObject({
      integration: 'crm-to-erp-orders',
      sourceSystem: 'CRM',
      targetSystem: 'ERP',
      calls: 3,
      failedCalls: 2,
      operations: 1,
      retries: 2,
      operationOutcomes: { succeeded: 1, recovered: 1, failed: 0, inRetry: 0 },
      operationFailureRate: 0,
      errorsByClass: { client: 0, timeout: 0, server: 2, other: 0 },
      deadLetters: 0,
    })
    expect(row.attemptErrorRate).toBe(2 / 3)
    expect(row.successRate).toBe(1 / 3)
  })

  it('classes failed attempts as client/mapping, timeout, server or other, and decides operations against the retry horizon', async () => {
    const row = await endpoint(fixedWindow, 'POST /deliveries')
    expect(row).toMatchObject({
      calls: 10,
      failedCalls: 8,
      successRate: 0.2,
      attemptErrorRate: 0.8,
      // mapping, validation, 404 | ETIMEDOUT, 504 | '503', 500 | TypeError
      errorsByClass: { client: 3, timeout: 2, server: 2, other: 1 },
      errorRateByClass: { client: 0.3, timeout: 0.2, server: 0.2, other: 0.1 },
      operations: 5,
      retries: 5,
      // D3, D5 succeeded (D3 after failures); D1 past the horizon and D4 dead-lettered failed; D2 in retry.
      operationOutcomes: { succeeded: 2, recovered: 1, failed: 2, inRetry: 1 },
      operationFailureRate: 0.5,
      deadLetters: 1,
    })
  })

  it('moves an operation from in_retry to failed when the retry horizon is shorter than its wait', async () => {
    // D2 waits 19 m 59 s: within 1 h (the default) and 20 m, past 15 m.
    expect((await endpoint({ ...fixedWindow, retryHorizonMs: 20 * MINUTE }, 'POST /deliveries')).operationOutcomes).toEqual({
      succeeded: 2,
      recovered: 1,
      failed: 2,
      inRetry: 1,
    })
    const shorter = await endpoint({ ...fixedWindow, retryHorizonMs: 15 * MINUTE }, 'POST /deliveries')
    expect(shorter.operationOutcomes).toEqual({ succeeded: 2, recovered: 1, failed: 3, inRetry: 0 })
    expect(shorter.operationFailureRate).toBe(0.6)
  })

  it('gives a null operation failure rate, not 0, when every operation is still in retry', async () => {
    const row = await endpoint(fixedWindow, 'POST /stock')
    expect(row).toMatchObject({ calls: 1, successRate: 0, attemptErrorRate: 1, operationOutcomes: { succeeded: 0, failed: 0, inRetry: 1 } })
    expect(row.operationFailureRate).toBeNull()
    expect(row.errorsByClass.client).toBe(1)
  })

  it('gives exact latency quantiles: 10..200 ms -> p50 105, p95 190.5, p99 198.1, max 200', async () => {
    const row = await endpoint(fixedWindow, 'GET /prices')
    // Sorted x1..x20 = 10..200; quantile q sits at rank 1 + 19q, interpolated:
    // p50 = x10.5 = 105, p95 = x19.05 = 190 + 0.05 * 10, p99 = x19.81 = 190 + 0.81 * 10.
    expect(row.latencyMs.p50).toBeCloseTo(105, 9)
    expect(row.latencyMs.p95).toBeCloseTo(190.5, 9)
    expect(row.latencyMs.p99).toBeCloseTo(198.1, 9)
    expect(row.latencyMs.max).toBe(200)
    expect(row).toMatchObject({ calls: 20, operations: 20, retries: 0, successRate: 1, attemptErrorRate: 0, operationFailureRate: 0 })
  })

  it('takes the window half-open on span start: a call at from counts, a call at to does not', async () => {
    const scope = (fromMs: number, toMs: number): IntegrationScope => ({ fromNs: ns(fromMs), toNs: ns(toMs), integration: 'erp-to-crm-prices', now: NOW })
    expect((await endpoint(scope(at(0), at(60)), 'GET /currencies')).calls).toBe(2)
    expect((await endpoint(scope(at(60), at(120)), 'GET /currencies')).calls).toBe(1)
    expect((await endpoint(scope(at(60) - 1, at(60)), 'GET /currencies')).calls).toBe(1)
    expect((await integrationHealth(running.store, scope(at(60) + 1, at(120)))).map((r) => r.endpoint)).toEqual([])
  })

  it('counts a span delivered twice once', async () => {
    expect(await running.count('otel_traces', "SpanName = 'PUT /customers'")).toBe(3)
    expect(await endpoint(fixedWindow, 'PUT /customers')).toMatchObject({ calls: 2, operations: 2, retries: 0 })
  })

  it('filters by integration and system pair', async () => {
    const bySource = await integrationHealth(running.store, { ...fixedWindow, sourceSystem: 'WMS' })
    expect(bySource.map((r) => `${r.integration} ${r.endpoint}`)).toEqual(['wms-to-erp-stock POST /stock'])
    const byTarget = await integrationHealth(running.store, { ...fixedWindow, targetSystem: 'CRM' })
    expect(byTarget.map((r) => r.endpoint)).toEqual(['GET /currencies', 'GET /prices'])
  })
})

describe('source freshness', () => {
  it('gives per system the last record seen in traces and logs and its age at now', async () => {
    const rows = await sourceFreshness(running.store, { now: NOW })
    const age = new Map(rows.map((r) => [`${r.kind} ${r.system}`, r.ageSeconds]))
    // delivery-sync's last span: the stock call at T0 + 2 h 55 m, ending 1 s later.
    expect(age.get('service delivery-sync')).toBe(299)
    // price-feed's last span: the currency call at T0 + 1 h, 50 ms long.
    expect(age.get('service price-feed')).toBeCloseTo(7199.95, 9)
    expect(age.get('service fin-adapter')).toBe(5400)
    expect(age.get('business_system FIN')).toBe(5400)
    expect(age.get('integration_source WMS')).toBe(299)
    // ERP as a source: D4's dead-lettered attempt at T0 + 2 h 50 m, ending 1 s later.
    expect(age.get('integration_source ERP')).toBe(599)
    const crm = rows.find((r) => r.kind === 'integration_source' && r.system === 'CRM')
    expect(Date.parse(crm!.lastSeen)).toBeGreaterThanOrEqual(realTimeStart)
    expect(rows.find((r) => r.system === 'delivery-sync')?.lastSeen).toBe(iso(at(175) + 1000))
  })

  it('lists only the systems named as the asked kind', async () => {
    const rows = await sourceFreshness(running.store, { now: NOW, kind: 'business_system' })
    expect(rows.map((r) => r.system)).toEqual(['FIN'])
  })
})

describe('GET /api/v1/integrations/health and /api/v1/sources/freshness', () => {
  it('answers with window, quantile method, sample sizes and low_sample flags', async () => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/integrations/health?from=${iso(T0)}&to=${iso(at(180))}&source_system=ERP` })
    expect(res.statusCode).toBe(200)
    const body: IntegrationHealthAnswer = res.json()
    expect(body).toMatchObject({ window: { from: iso(T0), to: iso(at(180)) }, retryHorizon: '1h', quantileMethod: 'exact' })
    const byEndpoint = new Map(body.endpoints.map((e) => [e.endpoint, e]))
    expect(byEndpoint.get('GET /prices')).toMatchObject({ sampleSize: 20, lowSample: false, operationSampleSize: 20, operationLowSample: false })
    // Answered at the real now, weeks after T0: D2's wait is past the horizon too.
    expect(byEndpoint.get('POST /deliveries')).toMatchObject({
      sampleSize: 10,
      lowSample: true,
      operationSampleSize: 5,
      operationLowSample: true,
      operationOutcomes: { failed: 3, inRetry: 0 },
      operationFailureRate: 0.6,
    })
  })

  it('takes retry_horizon as a duration', async () => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/integrations/health?integration=wms-to-erp-stock&retry_horizon=PT2H` })
    expect(res.statusCode).toBe(200)
    expect(res.json<IntegrationHealthAnswer>().retryHorizon).toBe('2h')
  })

  it.each([
    ['from=yesterday', 'from'],
    [`from=${iso(at(60))}&to=${iso(T0)}`, 'to: must be after from'],
    ['retry_horizon=soon', "retry_horizon: 'soon' is not a duration"],
    ['retry_horizon=-1h', 'retry_horizon'],
    ['integration=', 'integration'],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/integrations/health?${query}` })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: ErrorCode.badRequest, message: expect.stringContaining(field) })
  })

  it('answers source freshness, and refuses an unknown kind naming the field', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/v1/sources/freshness?kind=integration_source' })
    expect(res.statusCode).toBe(200)
    const body: SourceFreshnessAnswer = res.json()
    expect(body.sources.map((s) => s.system)).toEqual(['CRM', 'ERP', 'WMS'])
    const bad = await api.inject({ method: 'GET', url: '/api/v1/sources/freshness?kind=queue' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: ErrorCode.badRequest, message: expect.stringContaining('kind') })
  })
})
