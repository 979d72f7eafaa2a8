// The real OpenTelemetry JS SDK and its OTLP serializers (the ones the JS exporters send
// with) produce one batch in protobuf and in JSON: both must decode to identical rows, and
// those rows must hold what the SDK was given.
import { trace, context, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import { TraceState } from '@opentelemetry/core'
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { decodeLogsJson, decodeLogsProtobuf, decodeTracesJson, decodeTracesProtobuf, type DecodeResult } from '../../../collector/otlp/index.ts'

const limits = { maxAttributesPerRecord: 128, maxAttributeValueBytes: 8192, maxFutureSkewSeconds: 3600, nowNs: BigInt(Date.now()) * 1_000_000n }

function rowsOf<Row>(result: DecodeResult<Row>): Row[] {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`)
  expect(result.rejected.count).toBe(0)
  return result.rows
}

function serialized(bytes: Uint8Array | undefined): Uint8Array {
  if (bytes === undefined) throw new Error('serializer returned nothing')
  return bytes
}

async function exportedSpans() {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'order-service', 'service.version': '1.4.2' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  })
  const tracer = provider.getTracer('checkout-lib', '0.9.1')
  const remoteParent = trace.setSpanContext(context.active(), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'),
  })
  const span = tracer.startSpan(
    'POST /orders',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 201,
        'order.total': 99.95,
        'order.gift': false,
        'order.items': ['sku-1', 'sku-2'],
        'order.quantities': [1, 2.5],
        'order.flags': [true, false],
      },
      links: [
        {
          context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, traceState: new TraceState('k=v') },
          attributes: { 'link.kind': 'batch' },
        },
      ],
    },
    remoteParent,
  )
  span.addEvent('payment.retry', { attempt: 2, reason: 'timeout' })
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' })
  span.end()
  const child = tracer.startSpan('db.query', { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), span))
  child.end()
  await provider.forceFlush()
  const spans = exporter.getFinishedSpans()
  await provider.shutdown()
  return spans
}

describe('the OpenTelemetry JS serializers', () => {
  it('give identical span rows through protobuf and JSON, holding what the SDK was given', async () => {
    const spans = await exportedSpans()
    const fromProtobuf = rowsOf(decodeTracesProtobuf(serialized(ProtobufTraceSerializer.serializeRequest(spans)), limits))
    const fromJson = rowsOf(decodeTracesJson(serialized(JsonTraceSerializer.serializeRequest(spans)), limits))
    expect(fromJson).toEqual(fromProtobuf)
    expect(fromProtobuf).toHaveLength(2)

    const [order, query] = fromProtobuf
    expect(order).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      spanName: 'POST /orders',
      spanKind: 'Client',
      serviceName: 'order-service',
      scopeName: 'checkout-lib',
      scopeVersion: '0.9.1',
      statusCode: 'Error',
      statusMessage: 'card declined',
      spanAttributes: {
        'http.request.method': 'POST',
        'http.response.status_code': '201',
        'order.total': '99.95',
        'order.gift': 'false',
        'order.items': '["sku-1","sku-2"]',
        'order.quantities': '[1,2.5]',
        'order.flags': '[true,false]',
      },
      links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'k=v', attributes: { 'link.kind': 'batch' } }],
    })
    expect(order?.resourceAttributes).toMatchObject({ 'service.name': 'order-service', 'service.version': '1.4.2' })
    expect(order?.events).toHaveLength(1)
    expect(order?.events[0]).toMatchObject({ name: 'payment.retry', attributes: { attempt: '2', reason: 'timeout' } })
    const sdkOrder = spans[0]
    const startNs = BigInt(sdkOrder?.startTime[0] ?? 0) * 1_000_000_000n + BigInt(sdkOrder?.startTime[1] ?? 0)
    const durationNs = BigInt(sdkOrder?.duration[0] ?? 0) * 1_000_000_000n + BigInt(sdkOrder?.duration[1] ?? 0)
    expect(order?.timestampNs).toBe(startNs)
    expect(order?.durationNs).toBe(durationNs)
    expect(order?.spanId).toBe(sdkOrder?.spanContext().spanId)
    expect(query).toMatchObject({ spanName: 'db.query', spanKind: 'Internal', parentSpanId: order?.spanId, traceId: order?.traceId, statusCode: 'Unset' })
  })

  it('give identical log rows through protobuf and JSON, map bodies and bytes included', async () => {
    const exporter = new InMemoryLogRecordExporter()
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing' }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    })
    const logger = provider.getLogger('invoices', '2.0.0')
    logger.emit({ severityNumber: 9, severityText: 'INFO', body: 'invoice sent', attributes: { 'invoice.id': 'I-7', 'invoice.lines': 3 } })
    logger.emit({
      severityNumber: 17,
      severityText: 'ERROR',
      eventName: 'invoice.failed',
      body: { reason: 'no credit', amount: 12.5, codes: [401, 402], raw: new Uint8Array([1, 2, 3]) },
      attributes: { retryable: true },
    })
    await provider.forceFlush()
    const records = exporter.getFinishedLogRecords()
    await provider.shutdown()

    const fromProtobuf = rowsOf(decodeLogsProtobuf(serialized(ProtobufLogsSerializer.serializeRequest(records)), limits))
    const fromJson = rowsOf(decodeLogsJson(serialized(JsonLogsSerializer.serializeRequest(records)), limits))
    expect(fromJson).toEqual(fromProtobuf)
    expect(fromProtobuf.map((r) => [r.severityNumber, r.severityText, r.body, r.eventName, r.logAttributes])).toEqual([
      [9, 'INFO', 'invoice sent', '', { 'invoice.id': 'I-7', 'invoice.lines': '3' }],
      [17, 'ERROR', '{"amount":12.5,"codes":[401,402],"raw":"AQID","reason":"no credit"}', 'invoice.failed', { retryable: 'true' }],
    ])
    expect(fromProtobuf.every((r) => r.serviceName === 'billing' && r.scopeName === 'invoices' && r.scopeVersion === '2.0.0')).toBe(true)
  })
})
