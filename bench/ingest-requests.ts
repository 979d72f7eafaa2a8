// Builds the ingest benchmark's traffic: OTLP protobuf export requests of realistic
// integration spans (20 attributes each), made by the real OpenTelemetry SDK and its
// protobuf serializer, so the collector decodes exactly what production exporters send.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'

const systems = ['CRM', 'ERP', 'WMS', 'FIN', 'MES'] as const
const integrations = ['crm-to-erp-orders', 'erp-to-wms-reservations', 'wms-to-erp-shipments', 'erp-to-fin-invoices', 'mes-to-erp-progress']

export function integrationSpanRequests(requests: number, spansPerRequest: number): Uint8Array[] {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'integration-hub', 'service.version': '4.2.0', 'deployment.environment.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  })
  const tracer = provider.getTracer('throughline-bench', '1.0.0')
  const bodies: Uint8Array[] = []
  let order = 0
  for (let r = 0; r < requests; r++) {
    for (let s = 0; s < spansPerRequest; s++) {
      order++
      const i = order % integrations.length
      const span = tracer.startSpan(`POST /api/v2/sales-orders`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'integration.name': integrations[i]!,
          'integration.source.system': systems[i]!,
          'integration.target.system': systems[(i + 1) % systems.length]!,
          'integration.operation.id': `op-${order}`,
          'integration.operation.attempt': 1,
          'business.process': 'lead_to_cash',
          'business.milestone': 'sales_order.created',
          'business.key.order_id': `O-${order}`,
          'business.key.so_number': `SO-${900000 + order}`,
          'business.object': 'sales_order',
          'business.value': 1250.5 + (order % 100),
          'tenant.id': `tenant-${order % 7}`,
          'http.request.method': 'POST',
          'http.response.status_code': order % 50 === 0 ? 502 : 201,
          'url.full': `https://erp.example.internal/api/v2/sales-orders/${order}`,
          'server.address': 'erp.example.internal',
          'messaging.system': 'rabbitmq',
          'messaging.message.id': `msg-${order}`,
          'customer.tier': order % 3 === 0 ? 'gold' : 'standard',
          'retry.enabled': true,
        },
      })
      if (order % 50 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'ERP answered 502' })
      span.end()
    }
    bodies.push(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()) ?? new Uint8Array())
    exporter.reset()
  }
  return bodies
}
