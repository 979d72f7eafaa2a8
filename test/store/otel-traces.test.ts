// otel_traces on chDB, as a stock OpenTelemetry Collector and our writer use it: the
// exporter's own INSERT column list, rows serialised by store/row-format.ts, our MATERIALIZED
// integration columns, the trace time-range view and insert deduplication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BusinessAttr, IntegrationAttr, OtelAttr, TenantAttr, businessKeyAttribute } from '../../core/semconv.ts'
import { createStoreClient } from '../../store/client.ts'
import { migrate } from '../../store/migrations.ts'
import { command, insertJsonEachRow, queryRows } from '../../store/query.ts'
import { spanRowJson } from '../../store/row-format.ts'
import type { SpanRow } from '../../store/rows.ts'
import { createTestDataDir, testConfig } from './embedded-store.ts'

const dir = createTestDataDir()
// Retention 0: the hand-checked timestamps below are fixed, and a TTL would expire them
// (retention itself: otel-logs.test.ts).
const config = testConfig(dir.dataDir, { clickhouse: { database: 'otel' }, retention: { tracesDays: 0, logsDays: 0 } })
const store = createStoreClient(config)

beforeAll(async () => {
  await migrate(store, config)
})
afterAll(async () => {
  await store.close()
  dir.remove()
})

const count = async (sql: string, params: Record<string, string> = {}): Promise<number> => {
  const [row] = await queryRows<{ n: string }>(store, sql, params, { tag: 'test.count' })
  return Number(row?.n)
}

// 2026-01-02T03:04:05.123456789Z, 1.5 s long, one event 0.5 s in, one link.
const EXPORTER_SPAN_INSERT = `
INSERT INTO otel_traces (
    Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
    ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
    Events.Timestamp, Events.Name, Events.Attributes,
    Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes
) VALUES (
    fromUnixTimestamp64Nano(1767323045123456789), '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174', '', 'vendor=1',
    'POST /orders', 'Server', 'crm-adapter',
    {'service.name': 'crm-adapter', 'tenant.id': 'acme', 'business.system': 'CRM'}, 'io.throughline', '0.1.0',
    {'integration.name': 'crm-to-erp', 'business.key.order_id': 'O1', 'business.key.so_number': 'S9', 'messaging.message.id': 'm-42', 'integration.operation.attempt': '2'},
    1500000000, 'Error', 'ERP timed out',
    [fromUnixTimestamp64Nano(1767323045623456789)], ['exception'], [{'exception.type': 'TimeoutError'}],
    ['0af7651916cd43dd8448eb211c80319c'], ['b7ad6b7169203331'], [''], [{'link.kind': 'retry-of'}]
)`

describe('otel_traces', () => {
  it("stores a row written with the exporter's exact column list and reads it back field for field", async () => {
    await command(store, EXPORTER_SPAN_INSERT, {}, { tag: 'test.exporter-insert' })
    const rows = await queryRows<Record<string, unknown>>(
      store,
      `SELECT toUnixTimestamp64Nano(Timestamp) AS Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind,
              ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
              arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS EventTimestamps, Events.Name, Events.Attributes,
              Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes
       FROM otel_traces WHERE SpanId = {spanId:String}`,
      { spanId: 'eee19b7ec3c1b174' },
      { tag: 'test.read-span' },
    )
    expect(rows).toEqual([
      {
        Timestamp: '1767323045123456789', // Int64 quoted: output_format_json_quote_64bit_integers
        TraceId: '5b8efff798038103d269b633813fc60c',
        SpanId: 'eee19b7ec3c1b174',
        ParentSpanId: '',
        TraceState: 'vendor=1',
        SpanName: 'POST /orders',
        SpanKind: 'Server',
        ServiceName: 'crm-adapter',
        ResourceAttributes: { 'service.name': 'crm-adapter', 'tenant.id': 'acme', 'business.system': 'CRM' },
        ScopeName: 'io.throughline',
        ScopeVersion: '0.1.0',
        SpanAttributes: {
          'integration.name': 'crm-to-erp',
          'business.key.order_id': 'O1',
          'business.key.so_number': 'S9',
          'messaging.message.id': 'm-42',
          'integration.operation.attempt': '2',
        },
        Duration: '1500000000',
        StatusCode: 'Error',
        StatusMessage: 'ERP timed out',
        EventTimestamps: ['1767323045623456789'],
        'Events.Name': ['exception'],
        'Events.Attributes': [{ 'exception.type': 'TimeoutError' }],
        'Links.TraceId': ['0af7651916cd43dd8448eb211c80319c'],
        'Links.SpanId': ['b7ad6b7169203331'],
        'Links.TraceState': [''],
        'Links.Attributes': [{ 'link.kind': 'retry-of' }],
      },
    ])
  })

  it('computes the integration columns from that row (span attribute first, then resource, then ServiceName)', async () => {
    const [row] = await queryRows<Record<string, unknown>>(
      store,
      `SELECT Tenant, Integration, SourceSystem, TargetSystem, BusinessProcess, Milestone, BusinessObject, BusinessSystem,
              BusinessKeys, MessageId, OperationId, Attempt
       FROM otel_traces WHERE SpanId = {spanId:String}`,
      { spanId: 'eee19b7ec3c1b174' },
      { tag: 'test.read-materialized' },
    )
    expect(row).toEqual({
      Tenant: 'acme', // resource attribute: the span has none
      Integration: 'crm-to-erp',
      SourceSystem: '',
      TargetSystem: '',
      BusinessProcess: '',
      Milestone: '',
      BusinessObject: '',
      BusinessSystem: 'CRM', // resource attribute, ahead of ServiceName
      BusinessKeys: ['order_id=O1', 'so_number=S9'], // sorted by '<type>=<value>'
      MessageId: 'm-42',
      OperationId: '',
      Attempt: 2,
    })
  })

  const span: SpanRow = {
    timestampNs: 1767323047000000001n,
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: '00f067aa0ba902b7',
    parentSpanId: 'eee19b7ec3c1b174',
    traceState: '',
    spanName: 'erp.createSalesOrder',
    spanKind: 'Client',
    serviceName: 'erp-adapter',
    resourceAttributes: { [OtelAttr.serviceName]: 'erp-adapter', [IntegrationAttr.sourceSystem]: 'CRM' },
    scopeName: 'sdk',
    scopeVersion: '',
    spanAttributes: {
      [TenantAttr.id]: 'acme-eu',
      [IntegrationAttr.name]: 'crm-to-erp',
      [IntegrationAttr.sourceSystem]: 'Salesforce',
      [IntegrationAttr.targetSystem]: 'SAP',
      [BusinessAttr.process]: 'lead_to_cash',
      [BusinessAttr.milestone]: 'sales_order.created',
      [BusinessAttr.object]: 'sales_order',
      [businessKeyAttribute('so_number')]: 'S9',
      [businessKeyAttribute('customer_id')]: 'C-7',
      [businessKeyAttribute('empty')]: '',
      [IntegrationAttr.operationId]: 'op-1',
      [IntegrationAttr.attempt]: 'not-a-number',
    },
    durationNs: 18446744073709551615n, // UInt64 max: must survive as text both ways
    statusCode: 'Ok',
    statusMessage: 'line1\nline2 "quoted"',
    events: [],
    links: [],
  }

  it('stores a row serialised by row-format, and derives its integration columns', async () => {
    await insertJsonEachRow(store, 'otel_traces', spanRowJson(span), { dedupToken: 'span-batch-1' })
    const rows = await queryRows<Record<string, unknown>>(
      store,
      `SELECT toUnixTimestamp64Nano(Timestamp) AS Timestamp, ParentSpanId, SpanKind, Duration, StatusMessage, Events.Name, Links.TraceId,
              Tenant, Integration, SourceSystem, TargetSystem, BusinessProcess, Milestone, BusinessObject, BusinessSystem,
              BusinessKeys, OperationId, Attempt
       FROM otel_traces WHERE SpanId = {spanId:String}`,
      { spanId: span.spanId },
      { tag: 'test.read-serialised-span' },
    )
    expect(rows).toEqual([
      {
        Timestamp: '1767323047000000001',
        ParentSpanId: 'eee19b7ec3c1b174',
        SpanKind: 'Client',
        Duration: '18446744073709551615',
        StatusMessage: 'line1\nline2 "quoted"',
        'Events.Name': [],
        'Links.TraceId': [],
        Tenant: 'acme-eu',
        Integration: 'crm-to-erp',
        SourceSystem: 'Salesforce', // span attribute beats the resource's 'CRM'
        TargetSystem: 'SAP',
        BusinessProcess: 'lead_to_cash',
        Milestone: 'sales_order.created',
        BusinessObject: 'sales_order',
        BusinessSystem: 'erp-adapter', // neither attribute set: ServiceName
        BusinessKeys: ['customer_id=C-7', 'so_number=S9'], // empty value left out
        OperationId: 'op-1',
        Attempt: 0, // unparseable attempt reads as 0
      },
    ])
  })

  it('fills otel_traces_trace_id_ts with the first and last span start of each trace', async () => {
    const rows = await queryRows<{ start: string; end: string }>(
      store,
      `SELECT toUnixTimestamp(min(Start)) AS start, toUnixTimestamp(max(End)) AS end
       FROM otel_traces_trace_id_ts WHERE TraceId = {traceId:String}`,
      { traceId: '5b8efff798038103d269b633813fc60c' },
      { tag: 'test.trace-range' },
    )
    expect(rows).toEqual([{ start: 1767323045, end: 1767323047 }])
  })
})

describe('insert deduplication', () => {
  const spanWithId = (spanId: string): string => spanRowJson({ ...span0, spanId })
  const span0: SpanRow = {
    timestampNs: 1767323050000000000n,
    traceId: '11111111111111111111111111111111',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    spanName: 'dedup',
    spanKind: 'Internal',
    serviceName: 'dedup-test',
    resourceAttributes: {},
    scopeName: '',
    scopeVersion: '',
    spanAttributes: {},
    durationNs: 1n,
    statusCode: 'Unset',
    statusMessage: '',
    events: [],
    links: [],
  }
  const dedupCount = () => count("SELECT count() AS n FROM otel_traces WHERE ServiceName = 'dedup-test'")

  it('stores a batch repeated with the same token once', async () => {
    const body = spanWithId('d000000000000001') + spanWithId('d000000000000002')
    await insertJsonEachRow(store, 'otel_traces', body, { dedupToken: 'batch-A' })
    await insertJsonEachRow(store, 'otel_traces', Buffer.from(body), { dedupToken: 'batch-A' })
    expect(await dedupCount()).toBe(2)
  })

  it('stores the next insert without a token: the earlier token does not stick to the chDB session', async () => {
    await insertJsonEachRow(store, 'otel_traces', spanWithId('d000000000000003'))
    expect(await dedupCount()).toBe(3)
  })

  it('stores the same rows again under a different token', async () => {
    await insertJsonEachRow(store, 'otel_traces', spanWithId('d000000000000003'), { dedupToken: 'batch-B' })
    expect(await dedupCount()).toBe(4)
  })
})
