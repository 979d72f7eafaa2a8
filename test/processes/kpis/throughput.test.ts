// K3 with hand-checked numbers: arrivals, completions, cancellations and failures per local day
// in Europe/Berlin across the October DST change (a 25-hour day), WIP at each bucket's end (and
// at now in the current bucket), hourly and weekly buckets, and zero-filled empty buckets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throughput } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('throughput')
})
afterAll(async () => {
  await opened.close()
})

const orders = definitionFrom(`
name: orders_throughput
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.created
  - name: order.approved
  - name: order.closed
  - name: order.cancelled
  - name: order.failed
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.cancelled, outcome: cancelled }
  - { milestone: order.failed, outcome: failed }
calendar:
  timezone: Europe/Berlin
`)

// Local days in Berlin: Sat 24 Oct (CEST, UTC+2), Sun 25 Oct (clocks go back: 25 hours),
// Mon 26 Oct and Tue 27 Oct (CET, UTC+1).
const SAT = ms('2026-10-23T22:00:00Z')
const SUN = ms('2026-10-24T22:00:00Z')
const MON = ms('2026-10-25T23:00:00Z')
const TUE = ms('2026-10-26T23:00:00Z')
const WED = ms('2026-10-27T23:00:00Z')
const NOW = ms('2026-10-26T12:00:00Z')
const at = (order: string, milestone: string, iso: string): EventSpec => ({ milestone: `order.${milestone}`, atMs: ms(iso), keys: { order } })

describe('K3 throughput, arrivals and WIP', () => {
  beforeAll(async () => {
    await insertEvents(opened.store, orders, [
      // P1: created Thu 22 Oct (before the window), closed Sun 23:30 CET (22:30 UTC).
      at('P1', 'created', '2026-10-22T10:00:00Z'),
      at('P1', 'closed', '2026-10-25T22:30:00Z'),
      // P2: created Sat 10:00 local, cancelled Sat 22:00 local.
      at('P2', 'created', '2026-10-24T08:00:00Z'),
      at('P2', 'cancelled', '2026-10-24T20:00:00Z'),
      // P3: created Sat 23:30 local; open.
      at('P3', 'created', '2026-10-24T21:30:00Z'),
      // P4: created Sun 00:30 local (still Saturday in UTC), closed Mon 11:00 local.
      at('P4', 'created', '2026-10-24T22:30:00Z'),
      at('P4', 'closed', '2026-10-26T10:00:00Z'),
      // P5: created Mon 12:00 local; open.
      at('P5', 'created', '2026-10-26T11:00:00Z'),
      // P7: created and failed on Sunday.
      at('P7', 'created', '2026-10-25T09:00:00Z'),
      at('P7', 'failed', '2026-10-25T10:00:00Z'),
      // P8: its start was never seen (left-censored): no arrival, but in progress from its first event, Sat 12:00 local.
      at('P8', 'approved', '2026-10-24T10:00:00Z'),
    ])
  })

  it('counts per local day across the DST change, with WIP at each day end and at now', async () => {
    const result = await throughput(opened.store, { definition: orders, window: { fromNs: ns(SAT), toNs: ns(WED) }, nowNs: ns(NOW), bucket: 'day' })
    expect(result.timeZone).toBe('Europe/Berlin')
    // WIP at Sat end (22:00 UTC Sat): P1, P3, P8 (P2 cancelled before; P4 starts 30 min after).
    // At Sun end (23:00 UTC Sun, 25 h later): P3, P4, P8 (P1 closed at 22:30, P7 failed).
    // Monday is now's day: WIP at now 12:00 UTC: P3, P5, P8 (P4 closed at 10:00).
    // Tuesday starts after now: no WIP yet, and its counts are zeros, present all the same.
    expect(result.buckets).toEqual([
      {
        start: new Date(SAT).toISOString(),
        end: new Date(SUN).toISOString(),
        arrivals: 2,
        completions: 0,
        cancelled: 1,
        failed: 0,
        wip: 3,
        wipAt: new Date(SUN).toISOString(),
        cycleTime: { count: 0, p50: null, p95: null, lowSample: true },
      },
      {
        start: new Date(SUN).toISOString(),
        end: new Date(MON).toISOString(),
        arrivals: 2,
        completions: 1,
        cancelled: 0,
        failed: 1,
        wip: 3,
        wipAt: new Date(MON).toISOString(),
        // P1: Thu 10:00 UTC to Sun 22:30 UTC = 84.5 h.
        cycleTime: { count: 1, p50: 84.5 * 3_600, p95: 84.5 * 3_600, lowSample: true },
      },
      {
        start: new Date(MON).toISOString(),
        end: new Date(TUE).toISOString(),
        arrivals: 1,
        completions: 1,
        cancelled: 0,
        failed: 0,
        wip: 3,
        wipAt: new Date(NOW).toISOString(),
        // P4: Sat 22:30 UTC to Mon 10:00 UTC = 35.5 h.
        cycleTime: { count: 1, p50: 35.5 * 3_600, p95: 35.5 * 3_600, lowSample: true },
      },
      {
        start: new Date(TUE).toISOString(),
        end: new Date(WED).toISOString(),
        arrivals: 0,
        completions: 0,
        cancelled: 0,
        failed: 0,
        wip: null,
        wipAt: null,
        cycleTime: { count: 0, p50: null, p95: null, lowSample: true },
      },
    ])
    // Sunday lasts 25 hours.
    expect(MON - SUN).toBe(25 * HOUR_MS)
    expect(result.totals).toEqual({ arrivals: 5, completions: 2, cancelled: 1, failed: 1 })
  })

  it('gives Sunday 25 hourly buckets', async () => {
    const result = await throughput(opened.store, { definition: orders, window: { fromNs: ns(SUN), toNs: ns(MON) }, nowNs: ns(NOW), bucket: 'hour' })
    expect(result.buckets).toHaveLength(25)
    // Sunday's arrivals: P4 at 22:30 UTC Sat (the first hour, 00:00 local) and P7 at 09:00 UTC (11:00 CET, the 12th hour).
    expect(result.buckets.map((b) => b.arrivals).reduce((a, b) => a + b)).toBe(2)
    expect(result.buckets[0]).toMatchObject({ start: new Date(SUN).toISOString(), arrivals: 1, wip: 4 })
    // At the 12th hour's end, 10:00 UTC, P7 fails: it has not ended BEFORE that instant, so it
    // is still in progress there (P1, P3, P4, P7, P8), and its failure counts in the 13th hour.
    expect(result.buckets[11]).toMatchObject({ start: '2026-10-25T09:00:00.000Z', arrivals: 1, failed: 0, wip: 5 })
    expect(result.buckets[12]).toMatchObject({ start: '2026-10-25T10:00:00.000Z', failed: 1, wip: 4 })
  })

  it('starts weeks on Monday, local time', async () => {
    // Mon 19 Oct 00:00 CEST to Mon 2 Nov 00:00 CET: two weeks.
    const from = ms('2026-10-18T22:00:00Z')
    const result = await throughput(opened.store, {
      definition: orders,
      window: { fromNs: ns(from), toNs: ns(ms('2026-11-01T23:00:00Z')) },
      nowNs: ns(NOW),
      bucket: 'week',
    })
    // Week 1: P1 (Thu), P2, P3, P4, P7 arrive; P1 closes Sunday 23:30 local (Monday in UTC+2 terms).
    // Week 2 (from Mon 26 Oct 00:00 CET): P5 arrives, P4 closes; now falls in it.
    expect(result.buckets).toEqual([
      {
        start: new Date(from).toISOString(),
        end: new Date(MON).toISOString(),
        arrivals: 5,
        completions: 1,
        cancelled: 1,
        failed: 1,
        wip: 3,
        wipAt: new Date(MON).toISOString(),
        cycleTime: { count: 1, p50: 84.5 * 3_600, p95: 84.5 * 3_600, lowSample: true },
      },
      expect.objectContaining({
        start: new Date(MON).toISOString(),
        end: '2026-11-01T23:00:00.000Z',
        arrivals: 1,
        completions: 1,
        wip: 3,
        wipAt: new Date(NOW).toISOString(),
      }),
    ])
  })

  it('fills an empty window with zero buckets (counts, not ratios) and gives no WIP for buckets after now', async () => {
    const from = ms('2026-12-01T23:00:00Z')
    const result = await throughput(opened.store, {
      definition: orders,
      window: { fromNs: ns(from), toNs: ns(from + 3 * DAY_MS) },
      nowNs: ns(from + DAY_MS),
      bucket: 'day',
    })
    expect(result.buckets.map((b) => [b.arrivals, b.completions, b.cancelled, b.failed])).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ])
    // Still open then: P3, P5 and P8, read through the lookback (90 days). The last bucket starts after now.
    expect(result.buckets.map((b) => b.wip)).toEqual([3, 3, null])
    expect(result.totals).toEqual({ arrivals: 0, completions: 0, cancelled: 0, failed: 0 })
  })

  it('refuses a window of more buckets than it returns', async () => {
    await expect(
      throughput(opened.store, { definition: orders, window: { fromNs: 0n, toNs: ns(ms('2026-01-01T00:00:00Z')) }, nowNs: ns(NOW), bucket: 'hour' }),
    ).rejects.toThrow(/more than 10000 hour buckets/)
  })
})
