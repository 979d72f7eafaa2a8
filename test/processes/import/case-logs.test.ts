// XES and CSV logs read into the figures process mining starts from (cases, events, start and
// end activities, directly-follows edges, case durations). Every expected number comes from
// independent-expectations.py (Python's xml.etree / csv / datetime, not our code); the
// section of its output each one is from is named beside it.
import { describe, expect, it } from 'vitest'
import { readEventLog } from '../../../processes/import/index.ts'
import { sharedDataPath } from '../../support/shared-data.ts'
import { logStatistics, medianSeconds, seconds } from './log-statistics.ts'

const runningExample = sharedDataPath('eventlogs/xes/running-example.xes')
const receiptCsv = sharedDataPath('eventlogs/csv/receipt.csv')
const receiptXes = sharedDataPath('eventlogs/xes/08_receipt.xes.gz')

describe('running-example.xes', () => {
  it('has the cases, activities, start and end activities, edges and durations computed independently', async () => {
    const stats = await logStatistics(readEventLog(runningExample))
    // "== running-example.xes": cases 6 events 42 activities 8
    expect([stats.cases, stats.events, stats.activities]).toEqual([6, 42, 8])
    expect(Object.fromEntries(stats.startActivities)).toEqual({ 'register request': 6 })
    expect(Object.fromEntries(stats.endActivities)).toEqual({ 'pay compensation': 3, 'reject request': 3 })
    // "df asked" and "df top"
    expect(stats.directlyFollows.get('register request -> examine casually')).toBe(3)
    expect(stats.directlyFollows.get('decide -> reject request')).toBe(3)
    expect(stats.directlyFollows.get('check ticket -> examine thoroughly')).toBe(1)
    expect(stats.directlyFollows.get('check ticket -> decide')).toBe(6)
    // "dur min/median/max s 520920.0 815940.0 1576440.0"
    expect([seconds(stats.durationsNs[0]), medianSeconds(stats.durationsNs), seconds(stats.durationsNs.at(-1))]).toEqual([520920, 815940, 1576440])
    // No lifecycle:transition in the file: atomic events count as completions.
    expect(Object.fromEntries(stats.lifecycles)).toEqual({ complete: 42 })
  })

  it('converts a +01:00 timestamp to its UTC instant and keeps the other attributes', async () => {
    const first = (await Array.fromAsync(readEventLog(runningExample)))[0]!
    // The file's first event: <date key="time:timestamp" value="2010-12-30T14:32:00.000+01:00"/>, i.e. 13:32 UTC.
    expect(first.timestampNs).toBe(BigInt(Date.UTC(2010, 11, 30, 13, 32, 0)) * 1_000_000n)
    expect(first).toMatchObject({
      activity: 'register request',
      resource: 'Pete',
      keys: { case_id: '3' },
      attributes: { 'case:creator': 'Fluxicon Nitro', Activity: 'register request', Resource: 'Pete', Costs: '50' },
    })
  })
})

// The same 1,434 cases / 8,577 events as CSV (pm4py export) and as gzipped XES, per ORIGIN.md.
describe.each([
  ['receipt.csv', receiptCsv],
  ['08_receipt.xes.gz', receiptXes],
])('%s', (_name, path) => {
  it('has the figures computed independently', async () => {
    const stats = await logStatistics(readEventLog(path))
    // "== receipt.csv" and "== 08_receipt.xes.gz" print the same figures
    expect([stats.cases, stats.events, stats.activities]).toEqual([1434, 8577, 27])
    expect(Object.fromEntries(stats.startActivities)).toEqual({ 'Confirmation of receipt': 1434 })
    expect(stats.endActivities.size).toBe(14)
    expect(stats.endActivities.get('T10 Determine necessity to stop indication')).toBe(828)
    expect(stats.endActivities.get('T05 Print and send confirmation of receipt')).toBe(400)
    expect(stats.endActivities.get('Confirmation of receipt')).toBe(116)
    expect(stats.endActivities.get('T20 Print report Y to stop indication')).toBe(15)
    expect(stats.directlyFollows.get('T04 Determine confirmation of receipt -> T05 Print and send confirmation of receipt')).toBe(1177)
    expect(stats.directlyFollows.get('T06 Determine necessity of stop advice -> T10 Determine necessity to stop indication')).toBe(1165)
    expect(stats.directlyFollows.get('T02 Check confirmation of receipt -> T04 Determine confirmation of receipt')).toBe(1119)
    expect(stats.directlyFollows.get('Confirmation of receipt -> T02 Check confirmation of receipt')).toBe(1079)
    expect(stats.directlyFollows.get('T05 Print and send confirmation of receipt -> T06 Determine necessity of stop advice')).toBe(791)
    // "dur min/median/max s 0.0 2868.5834999999997 23832541.524"
    expect(seconds(stats.durationsNs[0])).toBe(0)
    expect(medianSeconds(stats.durationsNs)).toBeCloseTo(2868.5835, 6)
    expect(seconds(stats.durationsNs.at(-1))).toBe(23832541.524)
    expect(Object.fromEntries(stats.lifecycles)).toEqual({ complete: 8577 })
  })

  it('honours both UTC offsets of the log (summer +02:00, winter +01:00)', async () => {
    const events = await Array.fromAsync(readEventLog(path))
    const caseEvents = events.filter((e) => e.keys.case_id === 'case-10011')
    // "receipt.csv: first row per offset": line 2 (+02:00) and line 4 (+01:00) of the CSV, both of case-10011.
    const summer = caseEvents.find((e) => e.activity === 'Confirmation of receipt')!
    const winter = caseEvents.find((e) => e.activity === 'T03 Adjust confirmation of receipt')!
    expect(summer.timestampNs).toBe(BigInt(Date.UTC(2011, 9, 11, 11, 45, 40, 276)) * 1_000_000n)
    expect(winter.timestampNs).toBe(BigInt(Date.UTC(2011, 10, 24, 14, 36, 51, 302)) * 1_000_000n)
    expect(summer.resource).toBe('Resource21')
    expect(summer.attributes['lifecycle:transition']).toBe('complete')
  })
})

describe('lifecycle transitions', () => {
  it('maps XES start/complete and keeps other transitions as other with the raw value', async () => {
    const stats = await logStatistics(readEventLog(sharedDataPath('eventlogs/xes/03_repairExample.xes.gz')))
    // "lifecycle counts": 03_repairExample {'complete': 7733, 'start': 4122}
    expect(Object.fromEntries(stats.lifecycles)).toEqual({ complete: 7733, start: 4122 })
    const bpic2013 = await Array.fromAsync(readEventLog(sharedDataPath('eventlogs/xes/06_bpic2013_closed.xes.gz')))
    const queued = bpic2013.find((e) => e.attributes['lifecycle:transition'] === 'Awaiting Assignment')!
    expect(queued.lifecycle).toBe('other')
  })

  it('splits a CSV row with start and complete timestamps into two events', async () => {
    const events = await Array.fromAsync(readEventLog(sharedDataPath('eventlogs/csv/interval_event_log.csv')))
    // "interval_event_log.csv": rows 8109, with start 8109, with end 8109
    expect(events.length).toBe(2 * 8109)
    expect(events.filter((e) => e.lifecycle === 'start').length).toBe(8109)
    // first row: C1, place order, start 2015-01-05 09:00:07+00:00, end 09:02:50+00:00
    expect(events.slice(0, 2).map((e) => [e.activity, e.lifecycle, e.timestampNs, e.keys.case_id])).toEqual([
      ['place order', 'start', BigInt(Date.UTC(2015, 0, 5, 9, 0, 7)) * 1_000_000n, 'C1'],
      ['place order', 'complete', BigInt(Date.UTC(2015, 0, 5, 9, 2, 50)) * 1_000_000n, 'C1'],
    ])
  })
})

describe('real-data traps', () => {
  it('reads timestamps an exporter wrote as strings (10_orders: "2019/11/03 01:11:19.000")', async () => {
    const first = (await Array.fromAsync(readEventLog(sharedDataPath('eventlogs/xes/10_orders.xes.gz'))))[0]!
    expect(first.activity).toBe('create_order')
    expect(first.timestampNs).toBe(BigInt(Date.UTC(2019, 10, 3, 1, 11, 19)) * 1_000_000n)
  })

  it('reads dates before 1970 (BPIC 2019 has 1948) as negative instants', async () => {
    const events = await Array.fromAsync(readEventLog(sharedDataPath('eventlogs/xes/16_bpic2019_1t_per_variant.xes.gz')))
    const earliest = events.reduce((a, b) => (b.timestampNs < a.timestampNs ? b : a))
    // zcat ... | grep -o 'time:timestamp" value="[^"]*' | sort | head -1 -> 1948-01-26T22:59:00+00:00
    expect(earliest.timestampNs).toBe(BigInt(Date.UTC(1948, 0, 26, 22, 59)) * 1_000_000n)
    expect(earliest.timestampNs < 0n).toBe(true)
  })

  it('files the case id under the key type the caller names', async () => {
    const first = (await Array.fromAsync(readEventLog(runningExample, { caseKeyType: 'claim' })))[0]!
    expect(first.keys).toEqual({ claim: '3' })
    expect(first.objects).toEqual([{ type: 'claim', keyType: 'claim', id: '3' }])
  })
})
