// recordSyncChange / recordSyncApply write the sync.* attributes the deriver pairs into
// source -> target sync lag (KPI K7): checked value by value, and refused when malformed.

import { type Span } from '@opentelemetry/api'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { recordSyncApply, recordSyncChange, startIntegrationSpan, type SyncChange } from '../../sdk/index.ts'
import { makeService } from './otel-harness.ts'

const mdm = makeService('customer-sync')
beforeEach(() => mdm.exporter.reset())
afterAll(() => mdm.shutdown())

const lastAttributes = () => mdm.spans().at(-1)?.attributes

describe('sync records', () => {
  it('mark the source change with entity, version and source change time', () => {
    const span = startIntegrationSpan(mdm.tracer, 'read CRM change', { integration: 'customer-master-sync', sourceSystem: 'CRM', targetSystem: 'ERP' })
    recordSyncChange(span, { entityType: 'customer', entityId: 'C-42', version: 17, sourceChangeTime: new Date('2026-03-02T08:00:00.250Z') })
    span.end()
    expect(lastAttributes()).toStrictEqual({
      'integration.name': 'customer-master-sync',
      'integration.source.system': 'CRM',
      'integration.target.system': 'ERP',
      'sync.side': 'change',
      'sync.entity.type': 'customer',
      'sync.entity.id': 'C-42',
      'sync.entity.version': 17,
      'sync.source.change_time': '2026-03-02T08:00:00.250Z',
    })
  })

  it('mark the target apply, with the source change time only when known', () => {
    const withTime = startIntegrationSpan(mdm.tracer, 'apply to ERP')
    recordSyncApply(withTime, { entityType: 'customer', entityId: 'C-42', version: 18, sourceChangeTime: new Date('2026-03-02T08:00:05.000Z') })
    withTime.end()
    expect(lastAttributes()).toStrictEqual({
      'sync.side': 'apply',
      'sync.entity.type': 'customer',
      'sync.entity.id': 'C-42',
      'sync.entity.version': 18,
      'sync.source.change_time': '2026-03-02T08:00:05.000Z',
    })

    const withoutTime = startIntegrationSpan(mdm.tracer, 'apply to ERP')
    recordSyncApply(withoutTime, { entityType: 'customer', entityId: 'C-42', version: 18 })
    withoutTime.end()
    expect(lastAttributes()).toStrictEqual({
      'sync.side': 'apply',
      'sync.entity.type': 'customer',
      'sync.entity.id': 'C-42',
      'sync.entity.version': 18,
    })
  })

  it('refuse a negative or fractional version, an empty id and a missing change time, naming the field', () => {
    const span = startIntegrationSpan(mdm.tracer, 'read CRM change')
    const change: SyncChange = { entityType: 'customer', entityId: 'C-42', version: 1, sourceChangeTime: new Date() }
    expect(() => recordSyncChange(span, { ...change, version: -1 })).toThrow(new TypeError('change.version must be an integer >= 0, got -1'))
    expect(() => recordSyncApply(span, { ...change, version: 2.5 })).toThrow(new TypeError('apply.version must be an integer >= 0, got 2.5'))
    expect(() => recordSyncApply(span, { ...change, entityId: '' })).toThrow(new TypeError('apply.entityId must be a non-empty string, got ""'))
    const { sourceChangeTime: _dropped, ...withoutTime } = change
    // A method signature is checked bivariantly: the way to call as plain JS would, without a cast.
    const untyped: { record(span: Span, change: unknown): void } = { record: recordSyncChange }
    expect(() => untyped.record(span, withoutTime)).toThrow(new TypeError('change.sourceChangeTime must be a valid Date, got undefined'))
    span.end()
    expect(lastAttributes()).toStrictEqual({})
  })
})
