// Real OpenTelemetry clients (NodeSDK with the OTLP protobuf and JSON exporters) send to a
// running collector; the rows in ClickHouse must equal what was sent, field by field.
import { context, logs, propagation, SeverityNumber, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../store/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

let running: RunningCollector
beforeAll(async () => {
  running = await startCollector()
})
afterAll(async () => {
  await running.close()
})

// NodeSDK configures exporters from the environment for the signals a test does not set up;
// only what the test wires itself may send.
process.env.OTEL_TRACES_EXPORTER = 'none'
process.env.OTEL_METRICS_EXPORTER = 'none'
process.env.OTEL_LOGS_EXPORTER = 'none'

function resetGlobals(): void {
  trace.disable()
  context.disable()
  propagation.disable()
  logs.disable()
}

interface SpanRowOut {
  TraceId: string
  SpanId: string
  ParentSpanId: string
  SpanName: string
  SpanKind: string
  ServiceName: string
  ResourceAttributes: Record<string, string>
  ScopeName: string
  ScopeVersion: string
  SpanAttributes: Record<string, string>
  Duration: string
  StatusCode: string
  StatusMessage: string
  'Events.Name': string[]
  'Events.Attributes': Array<Record<string, string>>
  'Links.TraceId': string[]
  'Links.SpanId': string[]
  'Links.Attributes': Array<Record<string, string>>
  Integration: string
  BusinessKeys: string[]
  StartNs: string
}

/** Emits one parent span, one child with every attribute kind, an event and a link. */
async function sendTrace(exporter: SpanExporter, serviceName: string): Promise<{ parent: Span; child: Span; linked: Span }> {
  resetGlobals()
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment.name': 'test' }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
    instrumentations: [],
  })
  sdk.start()
  const tracer = trace.getTracer('order-sync', '2.1.0')
  const linked = tracer.startSpan('poll ERP queue')
  linked.end()
  const parent = tracer.startSpan('sync order', { kind: SpanKind.SERVER })
  const child = tracer.startSpan(
    'POST /erp/sales-orders',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'batch' } }],
      attributes: {
        'integration.name': 'crm-to-erp',
        'business.key.order_id': 'O-1',
        'business.key.so_number': 'SO-9',
        'http.response.status_code': 502,
        'retry.enabled': true,
        'business.value': 1250.5,
        'erp.tags': ['a', 'b'],
        'erp.codes': [1, 2],
      },
    },
    trace.setSpan(context.active(), parent),
  )
  child.addEvent('exception', { 'exception.type': 'HttpError', 'exception.message': 'ERP answered 502' })
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'ERP answered 502' })
  child.end()
  parent.setStatus({ code: SpanStatusCode.OK })
  parent.end()
  await sdk.shutdown()
  return { parent, child, linked }
}

async function rowOf(spanId: string): Promise<SpanRowOut> {
  const [row] = await queryRows<SpanRowOut>(
    running.store,
    `SELECT TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion,
            SpanAttributes, Duration, StatusCode, StatusMessage, Events.Name, Events.Attributes, Links.TraceId, Links.SpanId,
            Links.Attributes, Integration, BusinessKeys, toString(toUnixTimestamp64Nano(Timestamp)) AS StartNs
     FROM otel_traces WHERE SpanId = {spanId:String}`,
    { spanId },
    { tag: 'test.span' },
  )
  if (!row) throw new Error(`span ${spanId} not stored`)
  return row
}

const hrToNs = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])

describe.each([
  ['OTLP protobuf exporter', (url: string) => new OTLPTraceExporterProto({ url: `${url}/v1/traces` }), 'order-sync-proto'],
  ['OTLP JSON exporter', (url: string) => new OTLPTraceExporterJson({ url: `${url}/v1/traces` }), 'order-sync-json'],
])('spans sent by the %s', (_label, makeExporter, serviceName) => {
  let sent: Awaited<ReturnType<typeof sendTrace>>
  beforeAll(async () => {
    const before = await running.count('otel_traces')
    sent = await sendTrace(makeExporter(running.url), serviceName)
    expect(await running.waitForRows('otel_traces', before + 3)).toBe(before + 3)
  })

  it('are stored with the ids, names, kind, status, scope and resource they were sent with', async () => {
    const child = sent.child as unknown as { spanContext(): { traceId: string; spanId: string }; startTime: [number, number]; endTime: [number, number] }
    const row = await rowOf(child.spanContext().spanId)
    expect(row.TraceId).toBe(sent.parent.spanContext().traceId)
    expect(row.ParentSpanId).toBe(sent.parent.spanContext().spanId)
    expect(row.SpanName).toBe('POST /erp/sales-orders')
    expect(row.SpanKind).toBe('Client')
    expect(row.ServiceName).toBe(serviceName)
    expect(row.ResourceAttributes['service.name']).toBe(serviceName)
    expect(row.ResourceAttributes['deployment.environment.name']).toBe('test')
    expect(row.ScopeName).toBe('order-sync')
    expect(row.ScopeVersion).toBe('2.1.0')
    expect(row.StatusCode).toBe('Error')
    expect(row.StatusMessage).toBe('ERP answered 502')
    expect(row.StartNs).toBe(String(hrToNs(child.startTime)))
    expect(row.Duration).toBe(String(hrToNs(child.endTime) - hrToNs(child.startTime)))
  })

  it('keep every attribute kind as the exporter stores it: text, with arrays as JSON', async () => {
    const row = await rowOf(sent.child.spanContext().spanId)
    expect(row.SpanAttributes).toEqual({
      'integration.name': 'crm-to-erp',
      'business.key.order_id': 'O-1',
      'business.key.so_number': 'SO-9',
      'http.response.status_code': '502',
      'retry.enabled': 'true',
      'business.value': '1250.5',
      'erp.tags': '["a","b"]',
      'erp.codes': '[1,2]',
    })
    expect(row.Integration).toBe('crm-to-erp')
    expect(row.BusinessKeys).toEqual(['order_id=O-1', 'so_number=SO-9'])
  })

  it('keep events and links', async () => {
    const row = await rowOf(sent.child.spanContext().spanId)
    expect(row['Events.Name']).toEqual(['exception'])
    expect(row['Events.Attributes']).toEqual([{ 'exception.type': 'HttpError', 'exception.message': 'ERP answered 502' }])
    expect(row['Links.TraceId']).toEqual([sent.linked.spanContext().traceId])
    expect(row['Links.SpanId']).toEqual([sent.linked.spanContext().spanId])
    expect(row['Links.Attributes']).toEqual([{ 'link.reason': 'batch' }])
  })

  it('mark a root span with an empty parent and status Ok', async () => {
    const row = await rowOf(sent.parent.spanContext().spanId)
    expect(row.ParentSpanId).toBe('')
    expect(row.SpanKind).toBe('Server')
    expect(row.StatusCode).toBe('Ok')
  })
})

describe('log records sent by the OTLP JSON logs exporter', () => {
  it('are stored with body, severity, attributes, trace context and event name', async () => {
    resetGlobals()
    const before = await running.count('otel_logs')
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ 'service.name': 'erp-batch' }),
      logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${running.url}/v1/logs` }) })],
      // A recording tracer, so the log record carries a real trace context.
      spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
      instrumentations: [],
    })
    sdk.start()
    const tracer = trace.getTracer('erp-batch')
    const span = tracer.startSpan('nightly export')
    const logger = logs.getLogger('erp-batch-logger', '1.0.0')
    const timestamp = new Date('2026-11-28T23:00:00.123Z')
    context.with(trace.setSpan(context.active(), span), () => {
      logger.emit({
        eventName: 'business.event',
        body: 'invoice posted',
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        timestamp,
        attributes: { 'business.milestone': 'invoice.posted', 'business.key.invoice_no': 'INV-7', 'rows.exported': 42 },
      })
    })
    span.end()
    await sdk.shutdown()
    expect(await running.waitForRows('otel_logs', before + 1)).toBe(before + 1)
    const [row] = await queryRows<Record<string, unknown>>(
      running.store,
      `SELECT toString(Timestamp) AS ts, TraceId, SpanId, SeverityText, SeverityNumber, ServiceName, Body, ScopeName, ScopeVersion,
              LogAttributes, EventName, Milestone, BusinessKeys FROM otel_logs WHERE ServiceName = 'erp-batch'`,
      {},
      { tag: 'test.log' },
    )
    expect(row).toEqual({
      ts: '2026-11-28 23:00:00.123000000',
      TraceId: span.spanContext().traceId,
      SpanId: span.spanContext().spanId,
      SeverityText: 'WARN',
      SeverityNumber: 13,
      ServiceName: 'erp-batch',
      Body: 'invoice posted',
      ScopeName: 'erp-batch-logger',
      ScopeVersion: '1.0.0',
      LogAttributes: { 'business.milestone': 'invoice.posted', 'business.key.invoice_no': 'INV-7', 'rows.exported': '42' },
      EventName: 'business.event',
      Milestone: 'invoice.posted',
      BusinessKeys: ['invoice_no=INV-7'],
    })
  })
})
