// The SDK hooks, used by integration code under the real NodeSDK exporting to a running
// collector: the stored rows carry the conventions' attributes and our derived columns.
import { context, logs, propagation, SpanKind, trace } from '@opentelemetry/api'
import { W3CBaggagePropagator } from '@opentelemetry/core'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordBusinessEvent, recordSyncChange, withBusinessKeys, withIntegrationSpan } from '../../sdk/index.ts'
import { queryRows } from '../../store/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

process.env.OTEL_TRACES_EXPORTER = 'none'
process.env.OTEL_METRICS_EXPORTER = 'none'
process.env.OTEL_LOGS_EXPORTER = 'none'

let running: RunningCollector
let eventId = ''
beforeAll(async () => {
  running = await startCollector()
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': 'order-sync' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${running.url}/v1/logs` }) })],
    textMapPropagator: new W3CBaggagePropagator(),
    instrumentations: [],
  })
  sdk.start()
  const tracer = trace.getTracer('order-sync', '1.0.0')
  // Upstream (CRM) put the order id in baggage; this hop adds the ERP number.
  await withBusinessKeys({ order_id: 'O-77' }, () =>
    withIntegrationSpan(
      tracer,
      'create ERP sales order',
      {
        kind: SpanKind.CLIENT,
        process: 'lead_to_cash',
        milestone: 'sales_order.created',
        keys: { so_number: 'SO-123' },
        integration: 'crm-to-erp-orders',
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        operationId: 'op-9',
        attempt: 2,
        tenant: 'acme',
      },
      async (span) => {
        recordSyncChange(span, { entityType: 'customer', entityId: 'C-1', version: 5, sourceChangeTime: new Date('2026-11-29T08:00:00Z') })
        eventId = recordBusinessEvent(logs.getLogger('order-sync'), {
          process: 'lead_to_cash',
          milestone: 'sales_order.created',
          keys: { order_id: 'O-77', so_number: 'SO-123' },
          system: 'ERP',
          time: new Date('2026-11-29T08:00:01.5Z'),
        })
      },
    ),
  )
  await sdk.shutdown()
  trace.disable()
  logs.disable()
  propagation.disable()
  context.disable()
  await running.waitForRows('otel_traces', 1)
  await running.waitForRows('otel_logs', 1)
})
afterAll(async () => {
  await running.close()
})

describe('integration code using the SDK hooks', () => {
  it('produces a span whose derived columns answer which integration, systems, keys and attempt', async () => {
    const [row] = await queryRows<Record<string, unknown>>(
      running.store,
      `SELECT SpanName, SpanKind, Integration, SourceSystem, TargetSystem, BusinessProcess, Milestone, BusinessKeys,
              OperationId, Attempt, Tenant, SpanAttributes['sync.entity.type'] AS entity, SpanAttributes['sync.entity.version'] AS version
       FROM otel_traces`,
      {},
      { tag: 'test.sdk-span' },
    )
    expect(row).toEqual({
      SpanName: 'create ERP sales order',
      SpanKind: 'Client',
      Integration: 'crm-to-erp-orders',
      SourceSystem: 'CRM',
      TargetSystem: 'ERP',
      BusinessProcess: 'lead_to_cash',
      Milestone: 'sales_order.created',
      BusinessKeys: ['order_id=O-77', 'so_number=SO-123'],
      OperationId: 'op-9',
      Attempt: 2,
      Tenant: 'acme',
      entity: 'customer',
      version: '5',
    })
  })

  it('produces a business event log record at its business time, linked to the span', async () => {
    const [span] = await queryRows<{ TraceId: string; SpanId: string }>(running.store, 'SELECT TraceId, SpanId FROM otel_traces', {}, { tag: 'test.sdk-span' })
    const [row] = await queryRows<Record<string, unknown>>(
      running.store,
      `SELECT toString(Timestamp) AS ts, EventName, TraceId, SpanId, Milestone, BusinessKeys, BusinessSystem,
              LogAttributes['business.event.id'] AS eventId FROM otel_logs`,
      {},
      { tag: 'test.sdk-log' },
    )
    expect(row).toEqual({
      ts: '2026-11-29 08:00:01.500000000',
      EventName: 'business.event',
      TraceId: span!.TraceId,
      SpanId: span!.SpanId,
      Milestone: 'sales_order.created',
      BusinessKeys: ['order_id=O-77', 'so_number=SO-123'],
      BusinessSystem: 'ERP',
      eventId,
    })
  })
})
