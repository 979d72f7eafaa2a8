// Builds OTLP export requests for tests with the OpenTelemetry JS serializers (the same code
// the SDK's exporters run), with distinct, known span ids so stored rows can be counted exactly.
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'

export interface SpanBatch {
  readonly spans: ReadableSpan[]
  readonly protobuf: Uint8Array
  readonly json: string
}

export function spanBatches(batches: number, spansPerBatch: number, serviceName = 'test-service'): SpanBatch[] {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  })
  const tracer = provider.getTracer('test')
  const out: SpanBatch[] = []
  for (let b = 0; b < batches; b++) {
    for (let s = 0; s < spansPerBatch; s++) {
      tracer.startSpan(`step ${b}.${s}`, { attributes: { 'integration.name': 'crm-to-erp', 'business.key.order_id': `O-${b}-${s}` } }).end()
    }
    const spans = exporter.getFinishedSpans()
    exporter.reset()
    out.push({
      spans,
      protobuf: ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array(),
      json: new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array()),
    })
  }
  return out
}

export async function postProtobuf(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers }, body })
}
