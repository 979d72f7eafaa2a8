// CSV exports come with any delimiter, column names and timestamp layout: the mapping says
// which column is which (as flags or a small YAML/JSON file), and what it does not say is
// guessed from well-known names. Expected values are read off the fixture rows by hand.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { EventLogError, type ImportWarning, parseCsvMapping, readCsvMappingFile, readEventLog } from '../../../processes/import/index.ts'
import { tempDir } from '../../support/temp-dir.ts'

const dir = tempDir('import-csv')
afterAll(() => dir.remove())

function file(name: string, content: string | Buffer): string {
  const path = join(dir.path, name)
  writeFileSync(path, content)
  return path
}

const sapExport = [
  'Auftrag;Schritt;Zeit;Bearbeiter;Betrag',
  '4711;Angelegt;30.12.2010 14:32:00;Pete;1.250,00',
  '4711;"Geliefert; Teil 1";02.07.2011 09:00:00;Mike;',
].join('\r\n')

describe('CSV mapping', () => {
  it('reads a semicolon export with its own columns, a day-first layout and a local zone', async () => {
    const path = file('sap.csv', sapExport)
    const events = await Array.fromAsync(
      readEventLog(path, {
        caseKeyType: 'order_id',
        timeZone: 'Europe/Berlin',
        csv: { case: 'Auftrag', activity: 'Schritt', timestamp: 'Zeit', resource: 'Bearbeiter', timestampFormat: 'DD.MM.YYYY HH:mm:ss' },
      }),
    )
    expect(events.map((e) => [e.keys, e.activity, e.timestampNs, e.resource, e.attributes])).toEqual([
      // 14:32 in Berlin winter (+01:00) is 13:32 UTC; 09:00 in summer (+02:00) is 07:00 UTC.
      [{ order_id: '4711' }, 'Angelegt', BigInt(Date.UTC(2010, 11, 30, 13, 32)) * 1_000_000n, 'Pete', { Betrag: '1.250,00' }],
      [{ order_id: '4711' }, 'Geliefert; Teil 1', BigInt(Date.UTC(2011, 6, 2, 7)) * 1_000_000n, 'Mike', {}],
    ])
  })

  it('detects a tab delimiter and guesses pm4py column names, also inside gzip', async () => {
    const text = 'case:concept:name\tconcept:name\ttime:timestamp\tlifecycle:transition\torg:resource\n7\tregister\t2024-05-01 08:00:00+02:00\tstart\tAnn\n'
    for (const path of [file('tabs.tsv', text), file('tabs.csv.gz', gzipSync(text))]) {
      const [event] = await Array.fromAsync(readEventLog(path))
      expect(event).toMatchObject({
        keys: { case_id: '7' },
        activity: 'register',
        lifecycle: 'start',
        resource: 'Ann',
        attributes: { 'lifecycle:transition': 'start' },
      })
      expect(event!.timestampNs).toBe(BigInt(Date.UTC(2024, 4, 1, 6)) * 1_000_000n)
    }
  })

  it('takes the mapping from a YAML file and from a JSON file', async () => {
    const yamlPath = file(
      'mapping.yaml',
      [
        '# SAP SD export',
        'case: Auftrag',
        'activity: Schritt',
        'timestamp: Zeit',
        "timestampFormat: 'DD.MM.YYYY HH:mm:ss'",
        'timeZone: Europe/Berlin',
        'delimiter: ;',
        'caseKeyType: order_id',
      ].join('\n'),
    )
    const jsonPath = file(
      'mapping.json',
      JSON.stringify({
        case: 'Auftrag',
        activity: 'Schritt',
        timestamp: 'Zeit',
        timestampFormat: 'DD.MM.YYYY HH:mm:ss',
        timeZone: 'Europe/Berlin',
        caseKeyType: 'order_id',
      }),
    )
    const fromYaml = await readCsvMappingFile(yamlPath)
    expect(fromYaml).toEqual({
      case: 'Auftrag',
      activity: 'Schritt',
      timestamp: 'Zeit',
      timestampFormat: 'DD.MM.YYYY HH:mm:ss',
      timeZone: 'Europe/Berlin',
      delimiter: ';',
      caseKeyType: 'order_id',
    })
    const path = file('sap-2.csv', sapExport)
    for (const mapping of [fromYaml, await readCsvMappingFile(jsonPath)]) {
      const [first] = await Array.fromAsync(readEventLog(path, { csv: mapping }))
      expect(first).toMatchObject({ keys: { order_id: '4711' }, activity: 'Angelegt', timestampNs: BigInt(Date.UTC(2010, 11, 30, 13, 32)) * 1_000_000n })
    }
  })

  it('names the file, line and field of a bad mapping', () => {
    const unknown = (() => {
      try {
        parseCsvMapping('case: Auftrag\nactivity: Schritt\ntimestmp: Zeit\n', 'mapping.yaml')
      } catch (error) {
        return error
      }
      return undefined
    })()
    expect(unknown).toBeInstanceOf(EventLogError)
    expect((unknown as EventLogError).message).toBe(
      'mapping.yaml:3: timestmp: is not a mapping field (known: case, activity, timestamp, startTimestamp, lifecycle, resource, timestampFormat, timeZone, delimiter, caseKeyType)',
    )
    expect(() => parseCsvMapping('case: Auftrag\ndelimiter: "|"\n', 'm.yaml')).toThrow(/m\.yaml:2: delimiter:/)
    expect(() => parseCsvMapping('case: [unclosed\n', 'm.yaml')).toThrow(/m\.yaml:\d+: is not valid YAML or JSON/)
    expect(() => parseCsvMapping('caseKeyType: Order ID\n', 'm.yaml')).toThrow(/m\.yaml:1: caseKeyType:/)
  })

  it('leaves out unnamed columns (a pandas index) and says so', async () => {
    const warnings: ImportWarning[] = []
    const path = file('indexed.csv', ',case:concept:name,concept:name,time:timestamp\n0,1,a,2024-01-01T00:00:00Z\n')
    const [event] = await Array.fromAsync(readEventLog(path, { warn: (w) => warnings.push(w) }))
    expect(event!.attributes).toEqual({})
    expect(warnings.map((w) => w.code)).toEqual(['ignored-column'])
  })

  it('refuses an invalid zone or layout before reading', async () => {
    const path = file('plain.csv', 'case,activity,timestamp\n1,a,2024-01-01\n')
    await expect(Array.fromAsync(readEventLog(path, { timeZone: 'Mars/Olympus' }))).rejects.toThrow(/is not a time zone/)
    await expect(Array.fromAsync(readEventLog(path, { csv: { timestampFormat: 'HH:mm' } }))).rejects.toThrow(/timestampFormat: .* needs YYYY/)
  })
})
