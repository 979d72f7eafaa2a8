// The process-analysis KPI routes end to end with hand-checked figures: stage durations (K2),
// the throughput series (K3), rework (K8) and conformance (K9) over six orders written to
// business_events, through the API; and the 400/404 answers for bad input.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp, type ConformanceAnswer, type StagesAnswer, type ThroughputAnswer } from '../../api/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { HOUR_MS, definitionFrom, insertEvents, ms, type EventSpec } from '../processes/kpis/business-events.ts'

const orders = definitionFrom(`
name: orders_analysis
version: 2
root_key: order
keys:
  - type: order
milestones:
  - name: placed
  - name: approved
  - name: shipped
  - name: corrected
  - name: paid
  - name: cancelled
start: [placed]
terminal:
  - { milestone: paid, outcome: completed }
  - { milestone: cancelled, outcome: cancelled }
flow:
  edges:
    - { from: placed, to: [approved, cancelled] }
    - { from: approved, to: shipped }
    - { from: shipped, to: [corrected, paid] }
    - { from: corrected, to: paid }
  mandatory: [placed, approved, shipped, paid]
rework:
  activities: [corrected]
n_min: 3
`)

// A Monday, UTC (the definition's calendar is the default: 24x7 in UTC).
const T0 = ms('2026-03-02T00:00:00Z')
const iso = (hours: number): string => new Date(T0 + hours * HOUR_MS).toISOString()

/** Order `id`: each step [milestone, hours after T0]. */
function order(id: string, steps: ReadonlyArray<readonly [string, number]>): EventSpec[] {
  return steps.map(([milestone, hours]) => ({ milestone, atMs: T0 + hours * HOUR_MS, keys: { order: id } }))
}

let opened: MigratedStore
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('api-process-analysis')
  await insertEvents(opened.store, orders, [
    // A: the happy path, paid at 05:00 on day 0.
    ...order('A', [
      ['placed', 1],
      ['approved', 2],
      ['shipped', 4],
      ['paid', 5],
    ]),
    // B: corrected (a rework activity, along the flow's edges) before payment at 09:00.
    ...order('B', [
      ['placed', 2],
      ['approved', 5],
      ['shipped', 6],
      ['corrected', 7],
      ['paid', 9],
    ]),
    // C: never approved (skipped; placed -> shipped is no edge), paid at 10:00.
    ...order('C', [
      ['placed', 3],
      ['shipped', 4],
      ['paid', 10],
    ]),
    // D: approved twice (two events, no operation id: a repeat), paid on day 1 at 02:00.
    ...order('D', [
      ['placed', 4],
      ['approved', 6],
      ['approved', 7],
      ['shipped', 8],
      ['paid', 26],
    ]),
    // E: placed and approved on day 1, still open: waiting after approval.
    ...order('E', [
      ['placed', 25],
      ['approved', 28],
    ]),
    // F: placed and cancelled on day 1.
    ...order('F', [
      ['placed', 30],
      ['cancelled', 31],
    ]),
  ])
  api = await buildApiApp({ store: opened.store, logger: pino({ level: 'silent' }), definitions: [orders] })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

// Days 0 and 1, "now" at the end of day 1.
const window = `from=${iso(0)}&to=${iso(48)}&as_of=${iso(48)}`
const get = (path: string) => api.inject({ method: 'GET', url: `/api/v1/processes/orders_analysis/kpis/${path}` })

describe('GET /api/v1/processes/:process/kpis/stages', () => {
  it('measures each flow edge, first A to first B, with skipped and in-flight counts', async () => {
    const res = await get(`stages?${window}`)
    expect(res.statusCode).toBe(200)
    const body = res.json<StagesAnswer>()
    expect(body).toMatchObject({
      process: 'orders_analysis',
      version: '2',
      window: { from: iso(0), to: iso(48), asOf: iso(48) },
      clock: 'wall',
      quantileMethod: 'exact',
      nMin: 3,
      stagesFrom: 'edges',
    })
    // In the flow's order, each edge of a list its own stage. Seconds; quantiles interpolate
    // between ranks at (n - 1) p.
    // placed -> approved: A 1 h, B 3 h, D 2 h (its first approval), E 3 h: 3600, 7200, 10800,
    //   10800; mean 8100, p50 between 7200 and 10800 = 9000, p95 10800. E went on to approval:
    //   not in flight.
    // placed -> cancelled: F 1 h; one sample, below n_min 3.
    // approved -> shipped: A 2 h, B 1 h, D 06:00 -> 08:00 2 h: mean 6000, p50 7200, p95 7200.
    //   C shipped without approval: skipped. E open after approval at 28 h: in flight, aged
    //   48 h - 28 h = 72000 s.
    // shipped -> corrected: B 1 h.
    // shipped -> paid: A 1 h, B 3 h, C 6 h, D 18 h: 3600, 10800, 21600, 64800; mean 25200,
    //   p50 (10800 + 21600) / 2 = 16200, p95 at rank 2.85 = 21600 + 0.85 x 43200 = 58320.
    // corrected -> paid: B 2 h; A, C and D paid without a correction: 3 skipped.
    expect(
      body.stages.map((s) => [
        `${s.from} -> ${s.to}`,
        s.count,
        s.meanSeconds,
        s.p50Seconds,
        s.p95Seconds,
        s.lowSample,
        s.skipped,
        s.inFlight,
        s.oldestInFlightSeconds,
      ]),
    ).toEqual([
      ['placed -> approved', 4, 8_100, 9_000, 10_800, false, 0, 0, null],
      ['placed -> cancelled', 1, 3_600, 3_600, 3_600, true, 0, 0, null],
      ['approved -> shipped', 3, 6_000, 7_200, 7_200, false, 1, 1, 72_000],
      ['shipped -> corrected', 1, 3_600, 3_600, 3_600, true, 0, 0, null],
      ['shipped -> paid', 4, 25_200, 16_200, expect.closeTo(58_320, 6), false, 0, 0, null],
      ['corrected -> paid', 1, 7_200, 7_200, 7_200, true, 3, 0, null],
    ])
    expect(body.stages.every((s) => s.skewed === 0 && s.invalidOrder === 0)).toBe(true)
  })

  it('counts only the stages whose B falls in the window, and answers on the business clock when asked', async () => {
    // Day 0 only: D's payment (26 h) and E's approval (28 h) fall after it; F is on day 1.
    const res = await get(`stages?from=${iso(0)}&to=${iso(24)}&as_of=${iso(48)}&clock=business`)
    expect(res.statusCode).toBe(200)
    const body = res.json<StagesAnswer>()
    expect(body.clock).toBe('business')
    // A 24x7 calendar: business time is wall time. placed -> approved: A, B, D (1, 3, 2 h).
    // shipped -> paid: A, B, C (1, 3, 6 h): mean 10/3 h = 12000 s, p50 3 h.
    expect(body.stages.map((s) => [`${s.from} -> ${s.to}`, s.count, s.meanSeconds, s.p50Seconds])).toEqual([
      ['placed -> approved', 3, 7_200, 7_200],
      ['placed -> cancelled', 0, null, null],
      ['approved -> shipped', 3, 6_000, 7_200],
      ['shipped -> corrected', 1, 3_600, 3_600],
      ['shipped -> paid', 3, 12_000, 10_800],
      ['corrected -> paid', 1, 7_200, 7_200],
    ])
  })
})

describe('GET /api/v1/processes/:process/kpis/throughput', () => {
  it('answers a day series with arrivals, closures by outcome and WIP at each day end', async () => {
    const res = await get(`throughput?${window}&bucket=day`)
    expect(res.statusCode).toBe(200)
    const body = res.json<ThroughputAnswer>()
    expect(body).toMatchObject({ process: 'orders_analysis', version: '2', window: { from: iso(0), to: iso(48) }, bucket: 'day', timeZone: 'UTC' })
    // Day 0: A, B, C, D arrive; A, B, C complete; at its end D (paid at 26 h) is open: WIP 1.
    // Day 1: E and F arrive; D completes, F is cancelled; at now (its end) E is open: WIP 1.
    // Cycle times per day: A 4 h, B 7 h, C 7 h on day 0 (p50 7 h; p95 at rank 1.9 of [4, 7, 7] is
    // 7 h); D 22 h (04:00 -> 26:00) on day 1.
    expect(body.buckets).toEqual([
      {
        start: iso(0),
        end: iso(24),
        arrivals: 4,
        completions: 3,
        cancelled: 0,
        failed: 0,
        wip: 1,
        wipAt: iso(24),
        // 3 completions: not below n_min 3.
        cycleTime: { count: 3, p50: 7 * 3_600, p95: 7 * 3_600, lowSample: false },
      },
      {
        start: iso(24),
        end: iso(48),
        arrivals: 2,
        completions: 1,
        cancelled: 1,
        failed: 0,
        wip: 1,
        wipAt: iso(48),
        cycleTime: { count: 1, p50: 22 * 3_600, p95: 22 * 3_600, lowSample: true },
      },
    ])
    expect(body.totals).toEqual({ arrivals: 6, completions: 4, cancelled: 1, failed: 0 })
  })

  it('answers hourly buckets, an instance arriving at a bucket end counting in the next', async () => {
    // 00:00-06:00: A, B, C, D arrive at 01, 02, 03, 04 h; A completes at 05 h. WIP at each
    // hour's end e counts the instances started before e and not ended before e: A, placed at
    // exactly 01:00, is not yet in progress at the end of the 00:00 bucket.
    const res = await get(`throughput?from=${iso(0)}&to=${iso(6)}&as_of=${iso(48)}&bucket=hour`)
    expect(res.statusCode).toBe(200)
    const body = res.json<ThroughputAnswer>()
    expect(body.buckets.map((b) => [b.start, b.arrivals, b.completions, b.wip])).toEqual([
      [iso(0), 0, 0, 0],
      [iso(1), 1, 0, 1],
      [iso(2), 1, 0, 2],
      [iso(3), 1, 0, 3],
      [iso(4), 1, 0, 4],
      [iso(5), 0, 1, 3],
    ])
  })

  it('buckets by day when no bucket is given', async () => {
    const res = await get(`throughput?${window}`)
    expect(res.statusCode).toBe(200)
    expect(res.json<ThroughputAnswer>()).toMatchObject({ bucket: 'day', totals: { arrivals: 6 } })
  })
})

describe('GET /api/v1/processes/:process/kpis/rework', () => {
  it('rates rework over the instances completed in the window, per activity', async () => {
    const res = await get(`rework?${window}`)
    expect(res.statusCode).toBe(200)
    // Completed: A, B, C, D (not E, open; not F, cancelled). Reworked: B (corrected, a rework
    // activity, once) and D (approved twice: one occurrence after the first): 2 of 4.
    expect(res.json()).toEqual({
      process: 'orders_analysis',
      version: '2',
      window: { from: iso(0), to: iso(48), asOf: iso(48) },
      nMin: 3,
      completed: 4,
      reworked: 2,
      rate: 0.5,
      lowSample: false,
      activities: [
        { activity: 'approved', kind: 'repeated', instances: 1, occurrences: 1 },
        { activity: 'corrected', kind: 'rework_activity', instances: 1, occurrences: 1 },
      ],
    })
  })

  it('flags a low sample and gives no rate, not 0, when nothing completed', async () => {
    // Day 0 up to 06:00: only A completed (1 < n_min 3), without rework.
    const one = await get(`rework?from=${iso(0)}&to=${iso(6)}&as_of=${iso(48)}`)
    expect(one.json()).toMatchObject({ completed: 1, reworked: 0, rate: 0, lowSample: true, activities: [] })
    const none = await get(`rework?from=${iso(48)}&to=${iso(72)}&as_of=${iso(72)}`)
    expect(none.json()).toMatchObject({ completed: 0, reworked: 0, rate: null, lowSample: true })
  })
})

describe('GET /api/v1/processes/:process/kpis/conformance', () => {
  it('rates conformance and lists the non-conforming instances, most recently completed first', async () => {
    const res = await get(`conformance?${window}`)
    expect(res.statusCode).toBe(200)
    const body = res.json<ConformanceAnswer>()
    // Completed: A, B, C, D. A conforms; B too (its correction is along the edges and a rework
    // activity is no deviation). C: skipped(approved), out_of_sequence(placed -> shipped). D:
    // occurred_too_often(approved, 2), out_of_sequence(approved -> approved). No temporal
    // deviation: with at most 4 gaps per edge none can lie beyond 2 sigma.
    expect(body).toMatchObject({
      process: 'orders_analysis',
      version: '2',
      window: { from: iso(0), to: iso(48), asOf: iso(48) },
      nMin: 3,
      completed: 4,
      conforming: 2,
      rate: 0.5,
      lowSample: false,
      edgesChecked: true,
      total: 2,
      limit: 100,
      offset: 0,
    })
    expect(body.byKind).toEqual({
      skipped: { deviations: 1, instances: 1 },
      out_of_sequence: { deviations: 2, instances: 2 },
      occurred_too_often: { deviations: 1, instances: 1 },
      wrong_start: { deviations: 0, instances: 0 },
      wrong_end: { deviations: 0, instances: 0 },
      temporal: { deviations: 0, instances: 0 },
    })
    expect(body.byEdge).toEqual([
      { from: 'approved', to: 'approved', outOfSequence: 1, temporal: 0 },
      { from: 'placed', to: 'shipped', outOfSequence: 1, temporal: 0 },
    ])
    expect(body.byActivity).toEqual([{ activity: 'approved', skipped: 1, occurredTooOften: 1, wrongStart: 0, wrongEnd: 0 }])
    // D completed at 26 h, C at 10 h. Deviations sorted by kind.
    expect(body.instances).toEqual([
      {
        instance: 'D',
        keys: ['order=D'],
        completedAt: iso(26),
        deviations: [
          { kind: 'occurred_too_often', activity: 'approved', occurrences: 2 },
          { kind: 'out_of_sequence', from: 'approved', to: 'approved' },
        ],
      },
      {
        instance: 'C',
        keys: ['order=C'],
        completedAt: iso(10),
        deviations: [
          { kind: 'out_of_sequence', from: 'placed', to: 'shipped' },
          { kind: 'skipped', activity: 'approved' },
        ],
      },
    ])
  })

  it('pages the non-conforming instances with limit and offset, total unchanged', async () => {
    const res = await get(`conformance?${window}&limit=1&offset=1`)
    expect(res.statusCode).toBe(200)
    const body = res.json<ConformanceAnswer>()
    expect([body.total, body.limit, body.offset, body.instances.map((i) => i.instance)]).toEqual([2, 1, 1, ['C']])
  })
})

describe('bad input', () => {
  const base = '/api/v1/processes/orders_analysis/kpis'
  it.each([
    [`${base}/throughput?bucket=month`, 400, 'querystring/bucket must be equal to one of the allowed values'],
    [`${base}/throughput?from=${iso(-2 * 365 * 24)}&to=${iso(0)}&bucket=hour`, 400, 'throughput: more than 10000 hour buckets in the window'],
    [`${base}/stages?from=${iso(1)}&to=${iso(1)}`, 400, 'from: must be before to'],
    [`${base}/throughput?from=${iso(2)}&to=${iso(1)}`, 400, 'from: must be before to'],
    [`${base}/stages?clock=sundial`, 400, 'clock'],
    [`${base}/conformance?limit=0`, 400, 'limit'],
    [`${base}/conformance?offset=-1`, 400, 'offset'],
    [`${base}/rework?as_of=yesterday`, 400, 'querystring/as_of must match format "date-time"'],
    ['/api/v1/processes/nope/kpis/stages', 404, 'process: no definition named "nope"'],
    ['/api/v1/processes/nope/kpis/throughput', 404, 'process: no definition named "nope"'],
    ['/api/v1/processes/nope/kpis/rework', 404, 'process: no definition named "nope"'],
    ['/api/v1/processes/nope/kpis/conformance', 404, 'process: no definition named "nope"'],
  ])('%s -> %i', async (url, status, message) => {
    const res = await api.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(status)
    expect(res.json<{ message: string }>().message).toContain(message)
  })
})
