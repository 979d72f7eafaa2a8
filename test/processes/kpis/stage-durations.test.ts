// K2 with hand-checked numbers: first A -> first B per flow edge over the stages completed in
// the window, skipped steps (B without A), in-flight stages aged at now, clock skew within and
// beyond the tolerance, the business clock, and stages observed when the flow has no edges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stageDurations } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('stage_durations')
})
afterAll(async () => {
  await opened.close()
})

const orders = definitionFrom(`
name: orders_stages
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.created
  - name: order.approved
  - name: order.shipped
  - name: order.closed
  - name: order.cancelled
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.cancelled, outcome: cancelled }
flow:
  edges:
    - { from: order.created, to: [order.approved, order.cancelled] }
    - { from: order.approved, to: order.shipped }
    - { from: order.shipped, to: order.closed }
n_min: 3
`)

// Monday 2026-10-05 00:00 UTC; the window is that day, now is two days on.
const T0 = ms('2026-10-05T00:00:00Z')
const NOW = T0 + 2 * DAY_MS
const MINUTE_MS = 60_000
const at = (order: string, milestone: string, atMs: number): EventSpec => ({ milestone: `order.${milestone}`, atMs, keys: { order } })

describe('K2 stage durations', () => {
  beforeAll(async () => {
    await insertEvents(opened.store, orders, [
      // O1: created before the window (the lookback reads it), approved +3 h, shipped +2 h, closed +1 h.
      at('O1', 'created', T0 - 2 * HOUR_MS),
      at('O1', 'approved', T0 + HOUR_MS),
      at('O1', 'shipped', T0 + 3 * HOUR_MS),
      at('O1', 'closed', T0 + 4 * HOUR_MS),
      // O2: approved +2 h, shipped +8 h, then open: shipped -> closed in flight since T0 + 10 h.
      at('O2', 'created', T0),
      at('O2', 'approved', T0 + 2 * HOUR_MS),
      at('O2', 'shipped', T0 + 10 * HOUR_MS),
      // O3: approved +6 h, open: approved -> shipped in flight since T0 + 6 h.
      at('O3', 'created', T0),
      at('O3', 'approved', T0 + 6 * HOUR_MS),
      // O4: created, nothing since: created -> approved in flight since T0 + 1 h.
      at('O4', 'created', T0 + HOUR_MS),
      // O5: never created (B without A: created -> approved skipped); approved -> shipped 2 h.
      at('O5', 'approved', T0 + 5 * HOUR_MS),
      at('O5', 'shipped', T0 + 7 * HOUR_MS),
      // O6: approved 60 s before created: within the 120 s tolerance, a 0 s stage, flagged skewed.
      at('O6', 'created', T0 + 8 * HOUR_MS),
      at('O6', 'approved', T0 + 8 * HOUR_MS - MINUTE_MS),
      // O7: approved an hour before created: invalid order, left out of the figures.
      at('O7', 'created', T0 + 9 * HOUR_MS),
      at('O7', 'approved', T0 + 8 * HOUR_MS),
      // O8: cancelled an hour after creation: ended, so not in flight.
      at('O8', 'created', T0),
      at('O8', 'cancelled', T0 + HOUR_MS),
      // O9: approved two days before the window: outside it; open, so in flight since T0 - 2 d.
      at('O9', 'created', T0 - 3 * DAY_MS),
      at('O9', 'approved', T0 - 2 * DAY_MS),
    ])
  })

  it('measures each flow edge over the stages completed in the window, with skipped and in-flight steps apart', async () => {
    const result = await stageDurations(opened.store, { definition: orders, window: { fromNs: ns(T0), toNs: ns(T0 + DAY_MS) }, nowNs: ns(NOW) })
    expect(result).toMatchObject({ clock: 'wall', quantileMethod: 'exact', stagesFrom: 'edges' })
    // Edges in definition order, the self-loop-free list: created -> approved, created -> cancelled, approved -> shipped, shipped -> closed.
    expect(result.stages.map((s) => `${s.from}>${s.to}`)).toEqual([
      'order.created>order.approved',
      'order.created>order.cancelled',
      'order.approved>order.shipped',
      'order.shipped>order.closed',
    ])
    const [approval, cancellation, shipping, closing] = result.stages
    // created -> approved: O1 3 h, O2 2 h, O3 6 h, O6 0 h (skew) -> [0, 2, 3, 6] h.
    // mean 11/4 = 2.75 h; p50 at rank 1.5 = 2.5 h; p95 at rank 0.95 x 3 = 2.85 -> 3 + 0.85 x 3 = 5.55 h.
    // Skipped: O5; invalid order: O7; in flight: O4 only (O8 was cancelled), aged 47 h.
    expect(approval).toMatchObject({ count: 4, lowSample: false, skipped: 1, skewed: 1, invalidOrder: 1, inFlight: 1, oldestInFlightSeconds: 47 * 3_600 })
    expect(approval!.meanSeconds).toBeCloseTo(2.75 * 3_600, 6)
    expect(approval!.p50Seconds).toBeCloseTo(2.5 * 3_600, 6)
    expect(approval!.p95Seconds).toBeCloseTo(5.55 * 3_600, 6)
    // created -> cancelled: O8, 1 h; one sample < n_min 3. In flight: those waiting after
    // created, O4 only: the open orders that went on to approval (O2, O3, O6, O7, O9) have left it.
    expect(cancellation).toMatchObject({ count: 1, meanSeconds: 3_600, p50Seconds: 3_600, lowSample: true, inFlight: 1, oldestInFlightSeconds: 47 * 3_600 })
    // approved -> shipped: O1 2 h, O2 8 h, O5 2 h -> [2, 2, 8] h: mean 4 h, p50 2 h, p95 at rank
    // 1.9 -> 2 + 0.9 x 6 = 7.4 h. In flight: O3, O6, O7 and O9 (approved T0 - 2 d: 96 h at now).
    expect(shipping).toMatchObject({ count: 3, meanSeconds: 4 * 3_600, p50Seconds: 2 * 3_600, lowSample: false, skipped: 0, inFlight: 4 })
    expect(shipping!.p95Seconds).toBeCloseTo(7.4 * 3_600, 6)
    expect(shipping!.oldestInFlightSeconds).toBe(96 * 3_600)
    // shipped -> closed: O1 only, 1 h (low sample); in flight O2 (since T0 + 10 h) and O5 (since T0 + 7 h: 41 h).
    expect(closing).toMatchObject({ count: 1, meanSeconds: 3_600, lowSample: true, inFlight: 2, oldestInFlightSeconds: 41 * 3_600 })
  })

  it('reports no durations, not zeros, for a window where no stage completed (in flight is the state now)', async () => {
    const result = await stageDurations(opened.store, {
      definition: orders,
      window: { fromNs: ns(T0 + 10 * DAY_MS), toNs: ns(T0 + 11 * DAY_MS) },
      nowNs: ns(NOW),
    })
    const approval = result.stages[0]
    expect(approval).toMatchObject({ count: 0, meanSeconds: null, p50Seconds: null, p95Seconds: null, lowSample: true, skipped: 0, inFlight: 1 })
  })

  it('counts only working hours on the business clock', async () => {
    const desk = definitionFrom(`
name: desk_stages
version: 1
root_key: ticket
keys:
  - type: ticket
milestones:
  - name: ticket.opened
  - name: ticket.answered
start: [ticket.opened]
terminal:
  - { milestone: ticket.answered, outcome: completed }
flow:
  edges:
    - { from: ticket.opened, to: ticket.answered }
calendar:
  timezone: UTC
  working_hours:
    mon-fri: ['09:00-17:00']
n_min: 1
`)
    // Opened Friday 2026-10-09 16:00, answered Monday 10:00: 1 h on Friday + 1 h on Monday = 2 working hours (66 h wall).
    const friday16 = ms('2026-10-09T16:00:00Z')
    const monday10 = ms('2026-10-12T10:00:00Z')
    await insertEvents(opened.store, desk, [
      { milestone: 'ticket.opened', atMs: friday16, keys: { ticket: 'D1' } },
      { milestone: 'ticket.answered', atMs: monday10, keys: { ticket: 'D1' } },
    ])
    const scope = { definition: desk, window: { fromNs: ns(monday10), toNs: ns(monday10 + DAY_MS) }, nowNs: ns(monday10 + DAY_MS) }
    const business = await stageDurations(opened.store, { ...scope, clock: 'business' })
    expect(business.stages[0]).toMatchObject({ count: 1, meanSeconds: 2 * 3_600, lowSample: false })
    const wall = await stageDurations(opened.store, scope)
    expect(wall.stages[0]).toMatchObject({ count: 1, meanSeconds: 66 * 3_600 })
  })

  it('measures the pairs seen one after the other when the flow has no edges', async () => {
    const free = definitionFrom(`
name: free_stages
version: 1
root_key: case
keys:
  - type: case
milestones:
  - name: a
  - name: b
  - name: c
start: [a]
terminal:
  - { milestone: c, outcome: completed }
`)
    const t = ms('2026-10-20T00:00:00Z')
    await insertEvents(opened.store, free, [
      // X: a, b (+1 h), c (+2 h). Y: a, c (+30 min). Observed pairs: a>b, b>c, a>c.
      { milestone: 'a', atMs: t, keys: { case: 'X' } },
      { milestone: 'b', atMs: t + HOUR_MS, keys: { case: 'X' } },
      { milestone: 'c', atMs: t + 3 * HOUR_MS, keys: { case: 'X' } },
      { milestone: 'a', atMs: t, keys: { case: 'Y' } },
      { milestone: 'c', atMs: t + 30 * MINUTE_MS, keys: { case: 'Y' } },
    ])
    const result = await stageDurations(opened.store, { definition: free, window: { fromNs: ns(t), toNs: ns(t + DAY_MS) }, nowNs: ns(t + DAY_MS) })
    expect(result.stagesFrom).toBe('observed')
    // a > c: first a to first c in X (3 h) and Y (30 min): mean 1.75 h. b > c: X 2 h; Y reached c without b: skipped.
    expect(result.stages).toEqual([
      expect.objectContaining({ from: 'a', to: 'c', count: 2, meanSeconds: 1.75 * 3_600, skipped: 0 }),
      expect.objectContaining({ from: 'a', to: 'b', count: 1, meanSeconds: 3_600, skipped: 0 }),
      expect.objectContaining({ from: 'b', to: 'c', count: 1, meanSeconds: 2 * 3_600, skipped: 1 }),
    ])
  })
})
