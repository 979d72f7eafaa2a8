// Event ids are what storage dedupes on, so importing a file twice must change nothing:
// the same content gives the same id, whichever file or format it came from, and two
// identical events of one case still get two ids.
import { describe, expect, it } from 'vitest'
import { readEventLog } from '../../../processes/import/index.ts'
import { sharedDataPath } from '../../support/shared-data.ts'

const ids = async (path: string, options: Parameters<typeof readEventLog>[1] = {}): Promise<string[]> =>
  (await Array.fromAsync(readEventLog(path, options))).map((e) => e.eventId)

describe('event ids', () => {
  it('are the same when the same file is read twice', async () => {
    const path = sharedDataPath('eventlogs/xes/running-example.xes')
    const first = await ids(path)
    expect(await ids(path)).toEqual(first)
    expect(new Set(first).size).toBe(42)
  })

  it('are the same for the receipt log read as CSV and as gzipped XES', async () => {
    const fromCsv = await ids(sharedDataPath('eventlogs/csv/receipt.csv'))
    const fromXes = await ids(sharedDataPath('eventlogs/xes/08_receipt.xes.gz'))
    expect(new Set(fromCsv).size).toBe(8577)
    expect(new Set(fromXes)).toEqual(new Set(fromCsv))
  })

  it('tell apart identical events of one case (11_tickets repeats six activities at the same second)', async () => {
    // independent-expectations.py "11_tickets": 43 events, six (case, activity, timestamp) pairs occur twice
    expect(new Set(await ids(sharedDataPath('eventlogs/xes/11_tickets.xes.gz'))).size).toBe(43)
  })

  it('change with the namespace and with the case key type, which are part of the content', async () => {
    const path = sharedDataPath('eventlogs/xes/running-example.xes')
    const plain = await ids(path)
    const namespaced = await ids(path, { eventIdNamespace: 'claims-2010' })
    const rekeyed = await ids(path, { caseKeyType: 'claim' })
    expect(namespaced.some((id, i) => id === plain[i])).toBe(false)
    expect(rekeyed.some((id, i) => id === plain[i])).toBe(false)
  })
})
