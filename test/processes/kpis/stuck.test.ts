// K4 with hand-checked numbers: 37 stuck orders worth exactly 12,345.67, orders not yet past
// their stage's threshold, completed and cancelled ones left out, a dynamic threshold from the
// stage's own history, and the watermark guard when the next system has gone quiet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stuckInstances, rebuildInstanceFacts } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('stuck')
})
afterAll(async () => {
  await opened.close()
})

const yaml = (name: string, stages: string) => `
name: ${name}
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.created
    system: CRM
  - name: order.approved
    system: ERP
  - name: order.shipped
    system: WMS
  - name: order.closed
    system: FIN
  - name: order.cancelled
    system: CRM
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.cancelled, outcome: cancelled }
${stages}
value:
  attribute: amount
  currency: EUR
lateness_allowance:
  default: 1h
  by_system: {}
`

const NOW = ms('2026-11-20T12:00:00Z')

describe('K4 stuck instances', () => {
  const definition = definitionFrom(yaml('orders_stuck', 'stages:\n  - { after: order.created, threshold: 4h }\n  - { after: order.approved, threshold: 1d }'))

  beforeAll(async () => {
    const events: EventSpec[] = []
    // 37 orders created 5 h ago and never approved: past the 4 h threshold. 36 x 333.33 + 345.79 = 12,345.67.
    for (let i = 0; i < 37; i++) {
      events.push({
        milestone: 'order.created',
        atMs: NOW - 5 * HOUR_MS,
        keys: { order: `S${i}` },
        system: 'CRM',
        attrs: { amount: i === 36 ? '345.79' : '333.33' },
      })
    }
    // 5 orders created 3 h ago: not stuck yet.
    for (let i = 0; i < 5; i++)
      events.push({ milestone: 'order.created', atMs: NOW - 3 * HOUR_MS, keys: { order: `Y${i}` }, system: 'CRM', attrs: { amount: '1000' } })
    // 3 orders approved 5 h ago: that stage allows a day.
    for (let i = 0; i < 3; i++) {
      events.push({ milestone: 'order.created', atMs: NOW - 6 * HOUR_MS, keys: { order: `A${i}` }, system: 'CRM' })
      events.push({ milestone: 'order.approved', atMs: NOW - 5 * HOUR_MS, keys: { order: `A${i}` }, system: 'ERP' })
    }
    // A closed and a cancelled order, both old.
    events.push({ milestone: 'order.created', atMs: NOW - 50 * HOUR_MS, keys: { order: 'C1' }, system: 'CRM', attrs: { amount: '50' } })
    events.push({ milestone: 'order.closed', atMs: NOW - 40 * HOUR_MS, keys: { order: 'C1' }, system: 'FIN' })
    events.push({ milestone: 'order.created', atMs: NOW - 50 * HOUR_MS, keys: { order: 'X1' }, system: 'CRM', attrs: { amount: '70' } })
    events.push({ milestone: 'order.cancelled', atMs: NOW - 49 * HOUR_MS, keys: { order: 'X1' }, system: 'CRM' })
    // The ERP (the system expected after order.created) is alive: it sent something 10 minutes ago.
    events.push({ milestone: 'order.approved', atMs: NOW - 10 * 60_000, keys: { order: 'Z1' }, system: 'ERP' })
    await insertEvents(opened.store, definition, events)
  })

  it('reports 37 stuck orders with exactly 12,345.67 at risk', async () => {
    const result = await stuckInstances(opened.store, { definition, nowNs: ns(NOW), limit: 5 })
    expect(result.stuck).toBe(37)
    expect(result.unknownLateData).toBe(0)
    expect(result.valueAtRisk).toEqual([{ currency: 'EUR', amount: 12_345.67, instances: 37 }])
    expect(result.oldestAgeSeconds).toBe(5 * 3_600)
    expect(result.thresholds).toEqual({ 'order.created': 4 * 3_600, 'order.approved': 86_400 })
    expect(result.instances).toHaveLength(5)
    expect(result.instances[0]).toMatchObject({
      state: 'stuck',
      lastMilestone: 'order.created',
      expectedSystem: 'ERP',
      ageSeconds: 18_000,
      thresholdSeconds: 14_400,
      // Created 5 h ago, stuck after 4 h: since an hour ago.
      stuckSince: new Date(NOW - HOUR_MS).toISOString(),
      currency: 'EUR',
    })
    expect(result.instances[0]!.keys).toEqual([`order=${result.instances[0]!.instance}`])
  })

  it('says unknown_late_data, not stuck, when the system expected next has been silent beyond its allowance', async () => {
    // Two hours later nothing more came from the ERP: its allowance is 1 h.
    const later = await stuckInstances(opened.store, { definition, nowNs: ns(NOW + 2 * HOUR_MS) })
    expect(later.systems.find((s) => s.system === 'ERP')).toMatchObject({ late: true })
    // All 42 created-only orders are past 4 h now, but the ERP is late: none is called stuck.
    expect(later.stuck).toBe(0)
    expect(later.unknownLateData).toBe(42)
    expect(later.valueAtRisk).toEqual([])
  })
})

describe('dynamic thresholds', () => {
  it('takes max(min, k x p95 of the stage over the trailing window)', async () => {
    const definition = definitionFrom(yaml('orders_dynamic', 'stages:\n  - { after: order.created, threshold: { min: 1h, k: 2 } }'))
    const events: EventSpec[] = []
    // 20 past orders that left order.created after 1..20 h: p95 (exact, interpolated) of
    // 1..20 is at rank 0.95 * 19 = 18.05 -> 19.05 h; k = 2 -> 38.1 h.
    for (let i = 1; i <= 20; i++) {
      events.push({ milestone: 'order.created', atMs: NOW - 10 * 24 * HOUR_MS, keys: { order: `H${i}` }, system: 'CRM' })
      events.push({ milestone: 'order.approved', atMs: NOW - 10 * 24 * HOUR_MS + i * HOUR_MS, keys: { order: `H${i}` }, system: 'ERP' })
    }
    // Waiting 30 h (not stuck under 38.1 h) and 40 h (stuck).
    events.push({ milestone: 'order.created', atMs: NOW - 30 * HOUR_MS, keys: { order: 'W30' }, system: 'CRM' })
    events.push({ milestone: 'order.created', atMs: NOW - 40 * HOUR_MS, keys: { order: 'W40' }, system: 'CRM' })
    events.push({ milestone: 'order.approved', atMs: NOW - 60_000, keys: { order: 'alive' }, system: 'ERP' })
    await insertEvents(opened.store, definition, events)
    const result = await stuckInstances(opened.store, { definition, nowNs: ns(NOW) })
    expect(result.thresholds['order.created']).toBeCloseTo(38.1 * 3_600, 0)
    expect(result.instances.map((i) => i.instance)).toEqual(['W40'])
    // The same from the facts rollup: the stage baseline from each instance's stored trace.
    await rebuildInstanceFacts(opened.store, definition, ns(NOW - 30 * 24 * HOUR_MS))
    const rolled = await stuckInstances(opened.store, { definition, nowNs: ns(NOW), facts: 'rollup' })
    expect(rolled.thresholds['order.created']).toBeCloseTo(38.1 * 3_600, 0)
    expect(rolled).toEqual(result)
  })
})

describe('a stage on the business clock', () => {
  it('is stuck once its working time passes the threshold, and says since when on the calendar', async () => {
    const definition = definitionFrom(
      yaml(
        'orders_business_stuck',
        `stages:
  - { after: order.created, threshold: 2h, clock: business }
calendar:
  timezone: Europe/Berlin
  working_hours:
    mon-fri: ['08:00-18:00']`,
      ),
    )
    // Created Fri 2026-11-06 17:00 Berlin (16:00 UTC): 1 working hour that day, the second
    // ends Mon 09:00 Berlin (08:00 UTC). At Mon 10:00 Berlin it has waited 3 working hours.
    const mondayTen = ms('2026-11-09T09:00:00Z')
    await insertEvents(opened.store, definition, [
      { milestone: 'order.created', atMs: ms('2026-11-06T16:00:00Z'), keys: { order: 'B1' }, system: 'CRM' },
      { milestone: 'order.approved', atMs: mondayTen - 60_000, keys: { order: 'alive' }, system: 'ERP' },
    ])
    const result = await stuckInstances(opened.store, { definition, nowNs: ns(mondayTen) })
    expect(result.instances.filter((i) => i.instance === 'B1')).toMatchObject([
      { state: 'stuck', ageSeconds: 3 * 3_600, thresholdSeconds: 2 * 3_600, stuckSince: '2026-11-09T08:00:00.000Z' },
    ])
  })
})
