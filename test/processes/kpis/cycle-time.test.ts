// K1 with hand-checked numbers: the completion cohort's exact quantiles, the start cohort's
// Kaplan-Meier percentiles with censored instances, child completion (policy all), and a late
// event that corrects a cycle time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cycleTime } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { orderFlow } from '../derive/order-flow.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('cycle_time')
})
afterAll(async () => {
  await opened.close()
})

const orders = definitionFrom(`
name: orders_km
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.created
  - name: order.closed
  - name: order.cancelled
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.cancelled, outcome: cancelled }
`)

const T0 = ms('2026-10-01T00:00:00Z')

describe('K1 cycle time', () => {
  beforeAll(async () => {
    // 100 orders start at T0; 90 close after 1 + 4i/89 days (i = 0..89: 1 to 5 days); 10 stay open.
    const events = []
    for (let i = 0; i < 100; i++) {
      events.push({ milestone: 'order.created', atMs: T0, keys: { order: `K${i}` } })
      if (i < 90) events.push({ milestone: 'order.closed', atMs: T0 + Math.round(DAY_MS * (1 + (4 * i) / 89)), keys: { order: `K${i}` } })
    }
    // One cancelled order, reported apart.
    events.push({ milestone: 'order.created', atMs: T0, keys: { order: 'KX' } }, { milestone: 'order.cancelled', atMs: T0 + DAY_MS, keys: { order: 'KX' } })
    await insertEvents(opened.store, orders, events)
  })

  it('gives the completion cohort exact quantiles, and the start cohort Kaplan-Meier percentiles with 10 censored at 20 days', async () => {
    const result = await cycleTime(opened.store, {
      definition: orders,
      window: { fromNs: ns(T0), toNs: ns(T0 + 21 * DAY_MS) },
      nowNs: ns(T0 + 20 * DAY_MS),
    })
    // Exact quantile, interpolated: rank 0.95 * (90 - 1) = 84.55 -> 1 + 4 * 84.55 / 89 = 4.8 days.
    expect(result.completion.count).toBe(90)
    expect(result.completion.p95).toBeCloseTo(4.8 * 86_400, 3)
    expect(result.completion.p95!).toBeLessThanOrEqual(5 * 86_400)
    // Mean of 1 + 4i/89 over i = 0..89 is 1 + 4 * 44.5 / 89 = 3 days.
    expect(result.completion.mean).toBeCloseTo(3 * 86_400, 3)
    expect(result.completion).toMatchObject({ cancelled: 1, failed: 0, leftCensored: 0 })

    const start = await cycleTime(opened.store, { definition: orders, window: { fromNs: ns(T0), toNs: ns(T0 + DAY_MS) }, nowNs: ns(T0 + 20 * DAY_MS) })
    expect(start.start).toMatchObject({ started: 101, completed: 90, censored: 10, cancelled: 1 })
    // No censoring before the last completion: 1 - S(t) = deaths / 100. p50 at the 50th
    // completion (i = 49): 1 + 196/89 days; p90 at the 90th (i = 89): 5 days.
    expect(start.start.percentiles.p50).toEqual({ reached: true, seconds: expect.closeTo((1 + 196 / 89) * 86_400, 3) as number })
    expect(start.start.percentiles.p90).toEqual({ reached: true, seconds: 5 * 86_400 })
    // S never falls below 0.10: p95 is at least the oldest open instance's age, 20 days.
    expect(start.start.percentiles.p95).toEqual({ reached: false, atLeastSeconds: 20 * 86_400 })
  })

  it('reports no figures, not zeros, for an empty window', async () => {
    const result = await cycleTime(opened.store, { definition: orders, window: { fromNs: ns(T0 - 10 * DAY_MS), toNs: ns(T0 - 9 * DAY_MS) }, nowNs: ns(T0) })
    expect(result.completion).toMatchObject({ count: 0, mean: null, p50: null, p95: null })
    expect(result.start.percentiles.p50).toBeNull()
  })

  it('is corrected by a start event that arrives 6 hours late', async () => {
    const t = ms('2026-11-02T08:00:00Z')
    // The ERP's copy of the start came first; the CRM's real start arrives 6 h after the close.
    await insertEvents(opened.store, orders, [
      { milestone: 'order.created', atMs: t + HOUR_MS, keys: { order: 'LATE' }, id: 'late-erp' },
      { milestone: 'order.closed', atMs: t + 5 * HOUR_MS, keys: { order: 'LATE' }, id: 'late-close' },
    ])
    const window = { fromNs: ns(t), toNs: ns(t + DAY_MS) }
    const before = await cycleTime(opened.store, { definition: orders, window, nowNs: ns(t + DAY_MS) })
    expect(before.completion).toMatchObject({ count: 1, p50: 4 * 3_600 })
    await insertEvents(opened.store, orders, [{ milestone: 'order.created', atMs: t, observedMs: t + 11 * HOUR_MS, keys: { order: 'LATE' }, id: 'late-crm' }])
    const after = await cycleTime(opened.store, { definition: orders, window, nowNs: ns(t + DAY_MS) })
    expect(after.completion).toMatchObject({ count: 1, p50: 5 * 3_600 })
  })
})

describe('paused time', () => {
  it('does not count towards the cycle time: 5 h from start to close, paused 2 h, is 3 h', async () => {
    const t = ms('2026-11-04T08:00:00Z')
    await insertEvents(opened.store, orders, [
      { milestone: 'order.created', atMs: t, keys: { order: 'P1' } },
      { milestone: 'order.created', atMs: t + HOUR_MS, keys: { order: 'P1' }, status: 'paused', id: 'p1-pause' },
      { milestone: 'order.created', atMs: t + 3 * HOUR_MS, keys: { order: 'P1' }, status: 'resumed', id: 'p1-resume' },
      { milestone: 'order.closed', atMs: t + 5 * HOUR_MS, keys: { order: 'P1' } },
    ])
    const result = await cycleTime(opened.store, { definition: orders, window: { fromNs: ns(t), toNs: ns(t + DAY_MS) }, nowNs: ns(t + DAY_MS) })
    expect(result.completion).toMatchObject({ count: 1, p50: 3 * 3_600 })
  })
})

describe('child completion (policy all)', () => {
  it('completes the order at its later shipment, whatever order the events came in', async () => {
    const flow = orderFlow('order_flow_children')
    const t = ms('2026-11-03T09:00:00Z')
    const minute = 60_000
    await insertEvents(opened.store, flow, [
      { milestone: 'invoice.posted', atMs: t + 95 * minute, keys: { dlv: 'D2', inv: 'I5' } },
      { milestone: 'delivery.shipped', atMs: t + 90 * minute, keys: { so: 'S9', dlv: 'D2' } },
      { milestone: 'order.created', atMs: t, keys: { order: 'O1' } },
      { milestone: 'delivery.shipped', atMs: t + 60 * minute, keys: { so: 'S9', dlv: 'D1' } },
      { milestone: 'so.created', atMs: t + 5 * minute, keys: { order: 'O1', so: 'S9' } },
    ])
    // Correlation as the deriver runs it after storing events.
    const { correlateEvents, correlationModelOf } = await import('../../../processes/index.ts')
    await correlateEvents(opened.store, correlationModelOf(flow), [
      { keys: { order: 'O1', so: 'S9' }, links: [] },
      { keys: { so: 'S9', dlv: 'D1' }, links: [] },
      { keys: { so: 'S9', dlv: 'D2' }, links: [] },
      { keys: { dlv: 'D2', inv: 'I5' }, links: [] },
    ])
    const result = await cycleTime(opened.store, { definition: flow, window: { fromNs: ns(t), toNs: ns(t + DAY_MS) }, nowNs: ns(t + DAY_MS) })
    expect(result.completion).toMatchObject({ count: 1, p50: 90 * 60 })
  })
})

describe('Kaplan-Meier with ties', () => {
  it('steps by d / n at a tied completion time, and keeps instances censored at that time at risk', async () => {
    const ties = { ...orders, name: 'orders_km_ties' as typeof orders.name }
    const T1 = ms('2026-11-02T00:00:00Z')
    const tied = Array.from({ length: 12 }, (_, i) => `A${i}`)
    // A0..A11 close after 1 day (tied), C after 2 days; D starts a day later and is open at now
    // (censored at 2 days, tied with C); E is open (censored at 3 days).
    await insertEvents(opened.store, ties, [
      ...[...tied, 'C', 'E'].map((order) => ({ milestone: 'order.created', atMs: T1, keys: { order } })),
      { milestone: 'order.created', atMs: T1 + DAY_MS, keys: { order: 'D' } },
      ...tied.map((order) => ({ milestone: 'order.closed', atMs: T1 + DAY_MS, keys: { order } })),
      { milestone: 'order.closed', atMs: T1 + 2 * DAY_MS, keys: { order: 'C' } },
    ])
    const result = await cycleTime(opened.store, { definition: ties, window: { fromNs: ns(T1), toNs: ns(T1 + 2 * DAY_MS) }, nowNs: ns(T1 + 3 * DAY_MS) })
    // S(1 d) = 1 - 12/15 = 0.2. At 2 d, C, D and E are at risk: S(2 d) = 0.2 x (1 - 1/3) = 0.133,
    // so 1 - S stays below 0.9: p90 is not reached (at least the longest age, 3 days). Were D
    // censored before C's completion, S(2 d) would be 0.2 x (1 - 1/2) = 0.1 and p90 2 days.
    expect(result.start).toEqual({
      started: 15,
      completed: 13,
      censored: 2,
      cancelled: 0,
      failed: 0,
      percentiles: {
        p50: { reached: true, seconds: 86_400 },
        p90: { reached: false, atLeastSeconds: 3 * 86_400 },
        p95: { reached: false, atLeastSeconds: 3 * 86_400 },
      },
    })
  })
})
