// Recognition by the shipped lead-to-cash definition: an explicit business.milestone wins,
// aliases map legacy names, and recognisers claim records that say nothing, all criteria at once.
import { describe, expect, it } from 'vitest'
import { loadProcessDefinitions, milestoneRecogniser, type RecordView } from '../../../processes/index.ts'

const load = await loadProcessDefinitions('processes.d')
const leadToCash = load.ok ? load.definitions.find((definition) => definition.name === 'lead_to_cash') : undefined
if (leadToCash === undefined) throw new Error('processes.d/lead-to-cash.yaml did not load')
const recognise = milestoneRecogniser(leadToCash)

const erpCall = (status: string, overrides: Partial<RecordView> = {}): RecordView => ({
  signal: 'span',
  spanName: 'POST A_SalesOrder',
  spanKind: 'client',
  spanFailed: false,
  serviceName: 'order-sync',
  attributes: { 'http.response.status_code': status, 'business.key.order_id': 'O-1001' },
  ...overrides,
})

describe('milestone recognition', () => {
  it('takes an explicit business.milestone over any recogniser', () => {
    const record = erpCall('201', { attributes: { 'http.response.status_code': '201', 'business.milestone': 'sales_order.changed' } })
    expect(recognise(record)).toEqual({ kind: 'milestone', milestone: 'sales_order.changed', by: 'attribute' })
  })

  it('maps an alias a legacy system posts to its milestone', () => {
    const posted: RecordView = {
      signal: 'log',
      eventName: 'business.event',
      attributes: { 'business.process': 'lead_to_cash', 'business.milestone': 'SO_CREATED' },
    }
    expect(recognise(posted)).toEqual({ kind: 'milestone', milestone: 'sales_order.created', by: 'alias' })
  })

  it('says when a record names a milestone the definition does not declare', () => {
    expect(recognise({ signal: 'log', attributes: { 'business.milestone': 'invoice.paid' } })).toEqual({ kind: 'undeclared', name: 'invoice.paid' })
  })

  it('leaves records of another process alone', () => {
    expect(recognise(erpCall('201', { attributes: { 'http.response.status_code': '201', 'business.process': 'procure_to_pay' } }))).toEqual({ kind: 'none' })
  })

  it('recognises the ERP answer 201 as sales_order.created and 422 as sales_order.rejected', () => {
    expect(recognise(erpCall('201'))).toEqual({ kind: 'milestone', milestone: 'sales_order.created', by: 'recogniser' })
    expect(recognise(erpCall('422', { spanFailed: true }))).toEqual({ kind: 'milestone', milestone: 'sales_order.rejected', by: 'recogniser' })
  })

  it('needs every criterion: kind, status and attributes', () => {
    expect(recognise(erpCall('201', { spanKind: 'server' }))).toEqual({ kind: 'none' })
    expect(recognise(erpCall('201', { spanFailed: true }))).toEqual({ kind: 'none' })
    expect(recognise(erpCall('503'))).toEqual({ kind: 'none' })
    expect(recognise({ ...erpCall('201'), signal: 'log' })).toEqual({ kind: 'none' })
  })

  it('recognises log records by body pattern and service, and by event name and attribute', () => {
    const goodsIssue: RecordView = { signal: 'log', body: 'Goods issue posted for delivery 80001234', serviceName: 'wms-nightly-export', attributes: {} }
    expect(recognise(goodsIssue)).toEqual({ kind: 'milestone', milestone: 'goods_issue.posted', by: 'recogniser' })
    expect(recognise({ ...goodsIssue, serviceName: 'wms-adapter' })).toEqual({ kind: 'none' })
    const stageChange = (stage: string): RecordView => ({
      signal: 'log',
      eventName: 'crm.opportunity.stage_changed',
      attributes: { 'crm.opportunity.stage': stage },
    })
    expect(recognise(stageChange('Closed Won'))).toEqual({ kind: 'milestone', milestone: 'opportunity.won', by: 'recogniser' })
    expect(recognise(stageChange('Closed Lost'))).toEqual({ kind: 'none' })
  })
})
