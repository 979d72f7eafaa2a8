// Malformed input stops the import with an EventLogError that names the file and the line
// (or element) to look at, and a stable code; nothing half-read is passed on silently.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EventLogError, readEventLog } from '../../../processes/import/index.ts'
import { sharedDataPath } from '../../support/shared-data.ts'
import { tempDir } from '../../support/temp-dir.ts'

const dir = tempDir('import-malformed')
afterAll(() => dir.remove())

function file(name: string, content: string | Buffer): string {
  const path = join(dir.path, name)
  writeFileSync(path, content)
  return path
}

async function failure(path: string, options: Parameters<typeof readEventLog>[1] = {}): Promise<EventLogError> {
  try {
    for await (const _event of readEventLog(path, options)) {
      // drain: the error may come at any event
    }
  } catch (error) {
    if (error instanceof EventLogError) return error
    throw error
  }
  throw new Error(`${path} was read without an error`)
}

const xes = (timestamp: string): string =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0">',
    '  <trace>',
    '    <string key="concept:name" value="c1"/>',
    '    <event>',
    '      <string key="concept:name" value="a"/>',
    `      <date key="time:timestamp" value="${timestamp}"/>`,
    '    </event>',
    '  </trace>',
    '</log>',
  ].join('\n')

describe('malformed XES', () => {
  it('names the line where a truncated file stops', async () => {
    const original = readFileSync(sharedDataPath('eventlogs/xes/running-example.xes'))
    const cut = original.subarray(0, 5000)
    const error = await failure(file('truncated.xes', cut))
    // The cut leaves 117 newlines, so the parser stops on line 118 inside an <event>.
    expect(cut.toString('utf8').split('\n').length).toBe(118)
    expect(error.location.line).toBe(118)
    expect(error.message).toMatch(/truncated\.xes:118: is not well-formed XML .*unclosed tag: event/)
    expect(error.code).toBe('TL_MALFORMED_PAYLOAD')
  })

  it('refuses a date that does not exist, naming the element and its line', async () => {
    const error = await failure(file('bad-date.xes', xes('2010-02-30T14:32:00.000+01:00')))
    expect(error.location).toEqual({ file: expect.stringContaining('bad-date.xes'), line: 7, element: '<date key="time:timestamp">' })
    expect(error.message).toContain('"2010-02-30T14:32:00.000+01:00" is not a valid date: day 30 does not exist in 2010-02')
  })

  it('refuses a timestamp that is not a date at all', async () => {
    const error = await failure(file('not-a-date.xes', xes('yesterday')))
    expect(error.location.line).toBe(7)
    expect(error.message).toContain('does not match the timestamp format')
  })

  it('refuses a trace without a case id', async () => {
    const error = await failure(file('no-case.xes', xes('2010-01-01T00:00:00Z').replace('<string key="concept:name" value="c1"/>', '')))
    expect(error.location).toMatchObject({ line: 3, element: '<trace>' })
  })

  it('says a gzip file is truncated', async () => {
    const packed = readFileSync(sharedDataPath('eventlogs/xes/08_receipt.xes.gz'))
    const error = await failure(file('truncated.xes.gz', packed.subarray(0, 100_000)))
    expect(error.message).toContain('gzip content is truncated or corrupt')
  })
})

describe('malformed CSV', () => {
  it('names the line of a row with a missing column', async () => {
    const error = await failure(file('missing.csv', 'case,activity,time\nc1,a,2024-01-01T10:00:00Z\nc1,b\nc1,c,2024-01-01T11:00:00Z\n'))
    expect(error.location.line).toBe(3)
    expect(error.message).toContain('has 2 fields, the header has 3')
  })

  it('names the line and column of a bad timestamp', async () => {
    const error = await failure(file('bad-time.csv', 'case,activity,time\nc1,a,2024-01-01T10:00:00Z\nc1,b,2024-13-01 10:00\n'))
    expect(error.location).toMatchObject({ line: 3, element: 'column "time"' })
    expect(error.message).toContain('month 13 does not exist')
  })

  it('names the line of an unclosed quote', async () => {
    const error = await failure(file('quote.csv', 'case,activity,time\nc1,"a,2024-01-01T10:00:00Z\n'))
    expect(error.message).toMatch(/quote\.csv:\d+: is not valid CSV/)
  })

  it('lists the columns when a mapped column is not there', async () => {
    const error = await failure(file('mapped.csv', 'Order,Step,At\nO1,a,2024-01-01T10:00:00Z\n'), { csv: { case: 'Order', activity: 'Task', timestamp: 'At' } })
    expect(error.message).toContain('has no column "Task" (mapping field activity); the columns are: Order, Step, At')
    expect(error.code).toBe('TL_CONFIG')
  })
})

describe('unknown formats', () => {
  it.each([
    ['notes.txt', 'hello world\nthis is not a log\n', 'no known format'],
    ['random.bin', Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]), 'no known format'],
    ['schema.json', '{"$schema": "x", "properties": {"events": {}}}', 'JSON that is not OCEL 2.0'],
    ['fake.sqlite', 'not a database', 'no known format'],
  ])('refuses %s and says what it looks like', async (name, content, looksLike) => {
    const error = await failure(file(name, content))
    expect(error.code).toBe('TL_UNSUPPORTED_MEDIA_TYPE')
    expect(error.message).toContain(looksLike)
  })

  it.each([
    ['ocel/VBFA.zip', 'is a zip archive'],
    ['ocel/example_log.jsonocel', 'is OCEL 1.0 JSON'],
    ['ocel/example_log.xmlocel', 'is OCEL 1.0 XML'],
  ])('refuses %s with the reason', async (name, reason) => {
    const error = await failure(sharedDataPath(`eventlogs/${name}`))
    expect(error.message).toContain(reason)
  })
})

describe('malformed OCEL', () => {
  it('names the line where a truncated JSON log stops', async () => {
    const original = readFileSync(sharedDataPath('eventlogs/ocel/ocel20_example.jsonocel'))
    const cut = original.subarray(0, 4000)
    const error = await failure(file('truncated.jsonocel', cut))
    expect(error.location.line).toBe(cut.toString('utf8').split('\n').length)
    expect(error.message).toContain('the JSON stops inside "objects"')
  })

  it('names the element of an event without a time', async () => {
    const log = {
      objectTypes: [],
      eventTypes: [],
      objects: [],
      events: [
        { id: 'e1', type: 'a', time: '2024-01-01T00:00:00Z' },
        { id: 'e2', type: 'a' },
      ],
    }
    const error = await failure(file('no-time.jsonocel', JSON.stringify(log, null, 1)))
    expect(error.location.element).toBe('events[1]')
    expect(error.message).toContain('field "time" must be a string')
  })
})
