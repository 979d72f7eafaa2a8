// Importing historical event logs into business_events on embedded ClickHouse: the stored
// events and cases equal the log's (independently computed numbers, see
// test/processes/import/independent-expectations.py), and importing again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importEventLog } from '../../processes/index.ts'
import { queryRows, type StoreClient } from '../../store/index.ts'
import { sharedDataPath } from '../support/shared-data.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let store: StoreClient
beforeAll(async () => {
  opened = await openMigratedStore('import-store')
  store = opened.store
})
afterAll(async () => {
  await opened.close()
})

interface Counts {
  rows: string
  events: string
  cases: string
  activities: string
}

async function counts(process: string): Promise<Counts> {
  const [row] = await queryRows<Counts>(
    store,
    `SELECT count() AS rows, uniqExact(EventId) AS events, uniqExact(Keys['case_id']) AS cases, uniqExact(Milestone) AS activities
     FROM business_events WHERE Process = {process:String}`,
    { process },
    { tag: 'test.import-counts' },
  )
  return row!
}

describe('throughline import into business_events', () => {
  it('stores running-example.xes as 42 events of 6 cases and 8 activities, and a second import adds nothing', async () => {
    const first = await importEventLog(store, sharedDataPath('eventlogs/xes/running-example.xes'), { process: 'running_example' })
    expect(first.events).toBe(42)
    expect(await counts('running_example')).toEqual({ rows: '42', events: '42', cases: '6', activities: '8' })
    const again = await importEventLog(store, sharedDataPath('eventlogs/xes/running-example.xes'), { process: 'running_example' })
    expect(again.events).toBe(42)
    // The insert tokens repeat, so not even an unmerged duplicate row is written.
    expect(await counts('running_example')).toEqual({ rows: '42', events: '42', cases: '6', activities: '8' })
  })

  it('stores each event at its UTC instant, with its key, lifecycle and resource', async () => {
    const [first] = await queryRows<Record<string, unknown>>(
      store,
      `SELECT toString(Ts) AS ts, Milestone, Lifecycle, Keys, Attrs['org:resource'] AS resource, Source
       FROM business_events WHERE Process = 'running_example' ORDER BY Ts, EventId LIMIT 1`,
      {},
      { tag: 'test.import-first' },
    )
    // The log's earliest event (running-example.xes lines 141-146): case 1, register request,
    // 2010-12-30T11:02:00.000+01:00, by Pete.
    expect(first).toEqual({
      ts: '2010-12-30 10:02:00.000000000',
      Milestone: 'register request',
      Lifecycle: 'complete',
      Keys: { case_id: '1' },
      resource: 'Pete',
      Source: 'import',
    })
  })

  it('stores receipt.csv and 08_receipt.xes.gz as the same 8,577 events of 1,434 cases', async () => {
    await importEventLog(store, sharedDataPath('eventlogs/csv/receipt.csv'), { process: 'receipt' })
    expect(await counts('receipt')).toEqual({ rows: '8577', events: '8577', cases: '1434', activities: '27' })
    // The XES export of the same log yields the same event ids: nothing new after the merge.
    await importEventLog(store, sharedDataPath('eventlogs/xes/08_receipt.xes.gz'), { process: 'receipt' })
    const [merged] = await queryRows<{ events: string }>(
      store,
      "SELECT count() AS events FROM business_events FINAL WHERE Process = 'receipt'",
      {},
      { tag: 'test.import-merged' },
    )
    expect(merged!.events).toBe('8577')
  })

  it('stores a re-import with other options (another version, another case key) as rows of their own', async () => {
    const log = sharedDataPath('eventlogs/xes/running-example.xes')
    await importEventLog(store, log, { process: 'reimported' })
    await importEventLog(store, log, { process: 'reimported', processVersion: '2', read: { caseKeyType: 'claim_id' } })
    const [row] = await queryRows<{ versions: string; byClaim: string; byCase: string }>(
      store,
      `SELECT uniqExact(ProcessVersion) AS versions, countIf(mapContains(Keys, 'claim_id')) AS byClaim, countIf(mapContains(Keys, 'case_id')) AS byCase
       FROM business_events FINAL WHERE Process = 'reimported'`,
      {},
      { tag: 'test.reimport' },
    )
    expect(row).toEqual({ versions: '2', byClaim: '42', byCase: '42' })
  })

  it('refuses a process name that is not one, naming the flag', async () => {
    await expect(importEventLog(store, sharedDataPath('eventlogs/xes/running-example.xes'), { process: 'Running Example' })).rejects.toThrow(/^--process: /)
  })
})
