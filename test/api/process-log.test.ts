// The API's event-log KPIs after importing real logs: case count, event count, start and end
// activity counts, directly-follows edge counts and case durations equal the figures computed
// independently of the product (python3 over the raw files: see
// test/processes/import/independent-expectations.py, whose printed figures are quoted here).
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp, type CaseSummaryAnswer, type ProcessMapAnswer } from '../../api/index.ts'
import { importEventLog } from '../../processes/index.ts'
import type { StoreClient } from '../../store/index.ts'
import { sharedDataPath } from '../support/shared-data.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let store: StoreClient
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('api-log')
  store = opened.store
  await importEventLog(store, sharedDataPath('eventlogs/xes/running-example.xes'), { process: 'running_example' })
  await importEventLog(store, sharedDataPath('eventlogs/csv/receipt.csv'), { process: 'receipt' })
  await importEventLog(store, sharedDataPath('eventlogs/xes/08_receipt.xes.gz'), { process: 'receipt' })
  api = await buildApiApp({ store, logger: pino({ level: 'silent' }) })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

async function summary(process: string, query = ''): Promise<CaseSummaryAnswer> {
  const res = await api.inject({ method: 'GET', url: `/api/v1/processes/${process}/cases/summary${query}` })
  expect(res.statusCode).toBe(200)
  return res.json()
}

async function edges(process: string): Promise<Map<string, number>> {
  const res = await api.inject({ method: 'GET', url: `/api/v1/processes/${process}/map` })
  expect(res.statusCode).toBe(200)
  const body: ProcessMapAnswer = res.json()
  return new Map(body.edges.map((e) => [`${e.from} -> ${e.to}`, e.count]))
}

describe('GET /api/v1/processes/:process/cases/summary', () => {
  it('answers for running-example.xes: 6 cases, 42 events, 8 activities, durations 520,920 / 815,940 / 1,576,440 s', async () => {
    const body = await summary('running_example')
    expect(body).toMatchObject({
      process: 'running_example',
      rootKey: 'case_id',
      window: { from: null, to: null },
      quantileMethod: 'exact',
      sampleSize: 6,
      lowSample: true,
      cases: 6,
      events: 42,
      activities: 8,
      startActivities: [{ activity: 'register request', count: 6 }],
      endActivities: [
        { activity: 'pay compensation', count: 3 },
        { activity: 'reject request', count: 3 },
      ],
    })
    expect(body.durationSeconds.min).toBe(520_920)
    expect(body.durationSeconds.p50).toBe(815_940)
    expect(body.durationSeconds.max).toBe(1_576_440)
  })

  it('answers for the receipt log (CSV and XES imported, stored once): 1,434 cases, 8,577 events, 27 activities', async () => {
    const body = await summary('receipt')
    expect([body.cases, body.events, body.activities, body.lowSample]).toEqual([1434, 8577, 27, false])
    expect(body.startActivities).toEqual([{ activity: 'Confirmation of receipt', count: 1434 }])
    expect(body.endActivities).toHaveLength(14)
    const ends = new Map(body.endActivities.map((a) => [a.activity, a.count]))
    expect(ends.get('T10 Determine necessity to stop indication')).toBe(828)
    expect(ends.get('T05 Print and send confirmation of receipt')).toBe(400)
    expect(ends.get('Confirmation of receipt')).toBe(116)
    expect(ends.get('T20 Print report Y to stop indication')).toBe(15)
    // "dur min/median/max s 0.0 2868.5834999999997 23832541.524"
    expect(body.durationSeconds.min).toBe(0)
    expect(body.durationSeconds.p50).toBeCloseTo(2868.5835, 6)
    expect(body.durationSeconds.max).toBe(23_832_541.524)
  })

  it('limits to a window of business time, and says so', async () => {
    // Before 2011-01-01T00:00Z lie 8 events of cases 1 (2), 2 (3) and 3 (3): python3's
    // xml.etree over running-example.xes, timestamps compared as aware datetimes.
    const body = await summary('running_example', '?to=2011-01-01T00:00:00Z')
    expect(body.window).toEqual({ from: null, to: '2011-01-01T00:00:00Z' })
    expect([body.cases, body.events]).toEqual([3, 8])
  })

  it('refuses a bad root key or a bad time with 400 naming the field', async () => {
    const badKey = await api.inject({ method: 'GET', url: '/api/v1/processes/receipt/cases/summary?root_key=Case-ID' })
    expect(badKey.statusCode).toBe(400)
    expect(badKey.json()).toMatchObject({ code: 'TL_BAD_REQUEST', message: expect.stringContaining('root_key') })
    const badTime = await api.inject({ method: 'GET', url: '/api/v1/processes/receipt/cases/summary?from=yesterday' })
    expect(badTime.statusCode).toBe(400)
    expect(badTime.json()).toMatchObject({ code: 'TL_BAD_REQUEST', message: expect.stringContaining('from') })
  })

  it('answers an unknown process with zero cases and no durations, not an error', async () => {
    const body = await summary('nobody_runs_this')
    expect(body).toMatchObject({ cases: 0, events: 0, lowSample: true, durationSeconds: { min: null, p50: null, max: null }, startActivities: [] })
  })
})

describe('GET /api/v1/processes/:process/map', () => {
  it('counts the directly-follows edges of running-example.xes', async () => {
    const map = await edges('running_example')
    expect(map.get('register request -> examine casually')).toBe(3)
    expect(map.get('decide -> reject request')).toBe(3)
    expect(map.get('check ticket -> examine thoroughly')).toBe(1)
    expect(map.get('check ticket -> decide')).toBe(6)
  })

  it('counts the directly-follows edges of the receipt log', async () => {
    const map = await edges('receipt')
    expect(map.get('T04 Determine confirmation of receipt -> T05 Print and send confirmation of receipt')).toBe(1177)
    expect(map.get('T06 Determine necessity of stop advice -> T10 Determine necessity to stop indication')).toBe(1165)
    expect(map.get('T02 Check confirmation of receipt -> T04 Determine confirmation of receipt')).toBe(1119)
    expect(map.get('Confirmation of receipt -> T02 Check confirmation of receipt')).toBe(1079)
    expect(map.get('T05 Print and send confirmation of receipt -> T06 Determine necessity of stop advice')).toBe(791)
  })
})
