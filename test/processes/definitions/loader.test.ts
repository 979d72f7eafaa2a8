// The shipped definitions load into the model the deriver, KPIs and API read: defaults
// filled in, durations in ms, references resolved, frozen, plain JSON.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addBusinessTime } from '../../../core/calendar.ts'
import { loadProcessDefinitions, reachableFrom, type ProcessDefinition } from '../../../processes/index.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const shipped = await loadProcessDefinitions('processes.d')
const byName = (name: string): ProcessDefinition => {
  if (!shipped.ok) throw new Error(`shipped definitions are invalid: ${JSON.stringify(shipped.problems)}`)
  const found = shipped.definitions.find((definition) => definition.name === name)
  if (found === undefined) throw new Error(`no definition ${name}`)
  return found
}

const office = [{ startMinute: 480, endMinute: 1080 }]

describe('loading processes.d/', () => {
  it('finds the shipped definitions valid, without warnings, sorted by name', () => {
    expect(shipped.ok).toBe(true)
    if (!shipped.ok) return
    expect(shipped.definitions.map((definition) => definition.name)).toEqual([
      'bank_credit',
      'lead_to_cash',
      'make_to_order',
      'order_to_cash_sample',
      'retail_o2o',
    ])
    expect(shipped.warnings).toEqual([])
    expect(shipped.files).toEqual([
      'processes.d/bank-credit.yaml',
      'processes.d/lead-to-cash.yaml',
      'processes.d/manufacturing.yaml',
      'processes.d/order-to-cash-sample.yaml',
      'processes.d/retail-o2o.yaml',
    ])
  })

  it('loads the sample into exactly the expected model', () => {
    const milestone = (name: string, system: string) => ({ name, system, aliases: [], recognisers: [] })
    expect(byName('order_to_cash_sample')).toStrictEqual({
      name: 'order_to_cash_sample',
      version: '1.0.0',
      description: 'Sample order to cash with several deliveries per order.',
      rootKey: 'order',
      keys: ['order', 'so', 'dlv', 'inv'].map((type) => ({ type, role: 'instance', attributes: [`business.key.${type}`] })),
      milestones: [
        milestone('order.created', 'SHOP'),
        milestone('so.created', 'ERP'),
        milestone('delivery.shipped', 'WMS'),
        milestone('invoice.posted', 'FIN'),
        milestone('order.cancelled', 'SHOP'),
      ],
      start: ['order.created'],
      terminal: [
        { milestone: 'delivery.shipped', outcome: 'completed' },
        { milestone: 'order.cancelled', outcome: 'cancelled' },
      ],
      children: [{ keyType: 'dlv', parentKeyType: 'so', milestones: ['delivery.shipped'], completion: 'all' }],
      flow: {
        edges: [
          { from: 'order.created', to: 'so.created' },
          { from: 'order.created', to: 'order.cancelled' },
          { from: 'so.created', to: 'delivery.shipped' },
          { from: 'so.created', to: 'order.cancelled' },
          { from: 'delivery.shipped', to: 'delivery.shipped' },
          { from: 'delivery.shipped', to: 'invoice.posted' },
          { from: 'invoice.posted', to: 'delivery.shipped' },
          { from: 'invoice.posted', to: 'invoice.posted' },
        ],
        mandatory: ['order.created', 'so.created', 'delivery.shipped'],
      },
      rework: { mayRepeat: [], reworkActivities: [] },
      slas: [
        {
          name: 'so_within_2_business_hours',
          from: ['order.created'],
          to: ['so.created'],
          target: { kind: 'fixed', ms: 2 * HOUR },
          clock: 'business',
          atRisk: 0.8,
        },
        {
          name: 'order_to_shipment',
          from: ['order.created'],
          to: ['delivery.shipped'],
          target: { kind: 'by_attribute', attribute: 'customer_tier', values: { gold: DAY }, defaultMs: 3 * DAY },
          clock: 'wall',
          atRisk: 0.8,
        },
      ],
      stages: [
        { after: 'order.created', threshold: { kind: 'static', ms: 2 * HOUR }, clock: 'business' },
        { after: 'so.created', threshold: { kind: 'dynamic', minMs: DAY, k: 2, percentile: 95, windowMs: 28 * DAY }, clock: 'wall' },
      ],
      value: { attribute: 'business.value', currency: { kind: 'fixed', code: 'EUR' } },
      calendar: {
        kind: 'working_hours',
        timeZone: 'Europe/Berlin',
        week: { sun: [], mon: office, tue: office, wed: office, thu: office, fri: office, sat: [] },
        holidays: [],
        specialDays: {},
      },
      latenessAllowance: { defaultMs: 15 * 60_000, bySystem: {} },
      clockSkewToleranceMs: 120_000,
      nMin: 20,
      source: { file: 'processes.d/order-to-cash-sample.yaml', line: 6 },
    })
  })

  it('gives the sample SLA the issue example: a step at Fri 17:00 is due Mon 09:00', () => {
    const sample = byName('order_to_cash_sample')
    const sla = sample.slas[0]!
    if (sla.target.kind !== 'fixed') throw new Error('expected a fixed target')
    expect(addBusinessTime(sample.calendar, new Date('2026-03-06T16:00:00Z'), sla.target.ms).toISOString()).toBe('2026-03-09T08:00:00.000Z')
  })

  it('freezes the model all the way down and keeps it plain JSON', () => {
    const definition = byName('lead_to_cash')
    expect(Object.isFrozen(definition)).toBe(true)
    expect(Object.isFrozen(definition.milestones[1]!.recognisers[0])).toBe(true)
    expect(Object.isFrozen(definition.calendar)).toBe(true)
    expect(JSON.parse(JSON.stringify(definition))).toStrictEqual(definition)
  })
})

describe('the lead-to-cash definition', () => {
  const definition = byName('lead_to_cash')

  it('keeps the CRM account and the ERP customer as reference keys that never link instances', () => {
    expect(definition.rootKey).toBe('order_id')
    expect(definition.keys.filter((key) => key.role === 'reference').map((key) => key.type)).toEqual(['crm_account_id', 'erp_customer_id'])
    expect(definition.keys.find((key) => key.type === 'so_number')?.attributes).toEqual(['business.key.so_number', 'sap.vbeln'])
  })

  it('recognises the ERP sales order from the client span that got 201, and the legacy alias', () => {
    const created = definition.milestones.find((milestone) => milestone.name === 'sales_order.created')
    expect(created?.aliases).toEqual(['SO_CREATED'])
    expect(created?.recognisers).toStrictEqual([
      {
        from: 'span',
        spanName: { kind: 'equals', text: 'POST A_SalesOrder' },
        spanKind: 'client',
        status: 'ok',
        attributes: [{ attribute: 'http.response.status_code', match: { kind: 'one_of', values: ['201'] } }],
      },
    ])
  })

  it('reaches every terminal milestone from the start along its edges', () => {
    const reached = reachableFrom(definition.start, definition.flow.edges)
    expect(definition.terminal.every((end) => reached.has(end.milestone))).toBe(true)
  })

  it('works in Shanghai with a lunch break, 2026 holidays and make-up Saturdays', () => {
    expect(definition.calendar.kind).toBe('working_hours')
    if (definition.calendar.kind !== 'working_hours') return
    expect(definition.calendar.timeZone).toBe('Asia/Shanghai')
    expect(definition.calendar.week.mon).toEqual([
      { startMinute: 540, endMinute: 720 },
      { startMinute: 780, endMinute: 1080 },
    ])
    expect(definition.calendar.holidays).toHaveLength(33)
    expect(Object.keys(definition.calendar.specialDays)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])
    expect(definition.latenessAllowance).toEqual({ defaultMs: 15 * 60_000, bySystem: { WMS: 26 * HOUR } })
  })
})

describe('loading a directory', () => {
  const dirs: string[] = []
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'throughline-definitions-'))
    dirs.push(dir)
    return dir
  }

  it('reports a missing directory as an error without a line', async () => {
    const load = await loadProcessDefinitions('/nonexistent/processes.d')
    expect(load.ok).toBe(false)
    if (load.ok) return
    expect(load.problems).toMatchObject([{ severity: 'error', code: 'unreadable', file: '/nonexistent/processes.d', line: 0, field: '(directory)' }])
  })

  it('warns about a directory without definitions, reads .yml files and skips other files', async () => {
    const empty = await tempDir()
    await writeFile(join(empty, 'README.md'), '# not a definition\n')
    const none = await loadProcessDefinitions(empty)
    expect(none.ok && none.definitions.length === 0 && none.warnings.map((warning) => warning.code)).toEqual(['no_definitions'])

    const dir = await tempDir()
    await writeFile(
      join(dir, 'a.yml'),
      'name: a\nversion: 2\nroot_key: k\nkeys: [{ type: k }]\nmilestones: [{ name: x.done }]\nstart: [x.done]\nterminal: [{ milestone: x.done, outcome: completed }]\n',
    )
    const load = await loadProcessDefinitions(dir)
    expect(load.ok && load.definitions.map((definition) => [definition.name, definition.version])).toEqual([['a', '2']])
  })
})
