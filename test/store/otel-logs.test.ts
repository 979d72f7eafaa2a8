// otel_logs on chDB: the exporter's own INSERT column list (TimestampTime defaulted), rows
// serialised by store/row-format.ts with our MATERIALIZED integration columns, and the
// retention TTL dropping old spans and logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BusinessAttr, businessKeyAttribute } from '../../core/semconv.ts'
import { createStoreClient } from '../../store/client.ts'
import { migrate } from '../../store/migrations.ts'
import { command, insertJsonEachRow, queryRows } from '../../store/query.ts'
import { logRowJson } from '../../store/row-format.ts'
import type { LogRow } from '../../store/rows.ts'
import { createTestDataDir, testConfig } from './embedded-store.ts'

const dir = createTestDataDir()
// Retention 0: the hand-checked timestamps below are fixed, and a TTL would expire them.
const config = testConfig(dir.dataDir, { clickhouse: { database: 'otel' }, retention: { tracesDays: 0, logsDays: 0 } })
const store = createStoreClient(config)

beforeAll(async () => {
  await migrate(store, config)
})
afterAll(async () => {
  await store.close()
  dir.remove()
})

describe('otel_logs', () => {
  it("stores a row written with the exporter's exact column list, with TimestampTime defaulted", async () => {
    await command(
      store,
      `INSERT INTO otel_logs (Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body,
                             ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes,
                             LogAttributes, EventName)
       VALUES (fromUnixTimestamp64Nano(1767323045123456789), '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174', 1, 'ERROR', 17,
               'crm-adapter', 'order O1 rejected', 'https://opentelemetry.io/schemas/1.26.0', {'integration.name': 'crm-to-erp'},
               '', 'logger', '1.0', {'scope.kind': 'app'}, {'business.key.order_id': 'O1', 'integration.operation.attempt': '3'}, '')`,
      {},
      { tag: 'test.exporter-log-insert' },
    )
    const rows = await queryRows<Record<string, unknown>>(
      store,
      `SELECT toUnixTimestamp64Nano(Timestamp) AS Timestamp, toUnixTimestamp(TimestampTime) AS TimestampTime, TraceId, SpanId, TraceFlags,
              SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName,
              ScopeVersion, ScopeAttributes, LogAttributes, EventName, Integration, BusinessKeys, BusinessSystem, Attempt
       FROM otel_logs WHERE Body = {body:String}`,
      { body: 'order O1 rejected' },
      { tag: 'test.read-log' },
    )
    expect(rows).toEqual([
      {
        Timestamp: '1767323045123456789',
        TimestampTime: 1767323045,
        TraceId: '5b8efff798038103d269b633813fc60c',
        SpanId: 'eee19b7ec3c1b174',
        TraceFlags: 1,
        SeverityText: 'ERROR',
        SeverityNumber: 17,
        ServiceName: 'crm-adapter',
        Body: 'order O1 rejected',
        ResourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        ResourceAttributes: { 'integration.name': 'crm-to-erp' },
        ScopeSchemaUrl: '',
        ScopeName: 'logger',
        ScopeVersion: '1.0',
        ScopeAttributes: { 'scope.kind': 'app' },
        LogAttributes: { 'business.key.order_id': 'O1', 'integration.operation.attempt': '3' },
        EventName: '',
        Integration: 'crm-to-erp', // from the resource: the record has none
        BusinessKeys: ['order_id=O1'],
        BusinessSystem: 'crm-adapter',
        Attempt: 3,
      },
    ])
  })

  it('stores a row serialised by row-format, business event name included', async () => {
    const log: LogRow = {
      timestampNs: 1767323046000000000n,
      traceId: '',
      spanId: '',
      traceFlags: 0,
      severityText: 'INFO',
      severityNumber: 9,
      serviceName: 'wms',
      body: 'picked',
      resourceSchemaUrl: '',
      resourceAttributes: { [BusinessAttr.system]: 'WMS' },
      scopeSchemaUrl: '',
      scopeName: '',
      scopeVersion: '',
      scopeAttributes: {},
      logAttributes: { [BusinessAttr.milestone]: 'delivery.picked', [businessKeyAttribute('delivery_id')]: 'D5' },
      eventName: 'business.event',
    }
    await insertJsonEachRow(store, 'otel_logs', logRowJson(log), { dedupToken: 'log-batch-1' })
    const rows = await queryRows<Record<string, unknown>>(
      store,
      `SELECT toUnixTimestamp64Nano(Timestamp) AS Timestamp, EventName, SeverityNumber, Milestone, BusinessSystem, BusinessKeys
       FROM otel_logs WHERE ServiceName = 'wms'`,
      {},
      { tag: 'test.read-serialised-log' },
    )
    expect(rows).toEqual([
      {
        Timestamp: '1767323046000000000',
        EventName: 'business.event',
        SeverityNumber: 9,
        Milestone: 'delivery.picked',
        BusinessSystem: 'WMS',
        BusinessKeys: ['delivery_id=D5'],
      },
    ])
  })
})

describe('retention', () => {
  it('drops spans and logs older than the configured days, keeps newer ones', async () => {
    const ttlConfig = testConfig(dir.dataDir, { clickhouse: { database: 'ttl_check' }, retention: { tracesDays: 1, logsDays: 1 } })
    const ttlStore = createStoreClient(ttlConfig)
    try {
      await migrate(ttlStore, ttlConfig)
      for (const [age, id] of [
        [3, 'old'],
        [0, 'new'],
      ] as const) {
        await command(
          ttlStore,
          `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName) VALUES (now64(9) - toIntervalDay(${age}), 'ttl', '${id}', 'ttl')`,
          {},
          { tag: 'test.ttl-span' },
        )
        await command(
          ttlStore,
          `INSERT INTO otel_logs (Timestamp, ServiceName, Body) VALUES (now64(9) - toIntervalDay(${age}), 'ttl', '${id}')`,
          {},
          {
            tag: 'test.ttl-log',
          },
        )
      }
      // Each insert above is its own part in its own day partition; FINAL applies the TTL now.
      await command(ttlStore, 'OPTIMIZE TABLE otel_traces FINAL', {}, { tag: 'test.ttl-optimize' })
      await command(ttlStore, 'OPTIMIZE TABLE otel_logs FINAL', {}, { tag: 'test.ttl-optimize' })
      const spans = await queryRows<{ SpanId: string }>(ttlStore, 'SELECT SpanId FROM otel_traces', {}, { tag: 'test.ttl-read' })
      const logs = await queryRows<{ Body: string }>(ttlStore, 'SELECT Body FROM otel_logs', {}, { tag: 'test.ttl-read' })
      expect(spans).toEqual([{ SpanId: 'new' }])
      expect(logs).toEqual([{ Body: 'new' }])
    } finally {
      await ttlStore.close()
    }
  })
})
