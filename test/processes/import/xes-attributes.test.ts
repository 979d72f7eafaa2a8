// XES attributes come typed (string, date, int, float, boolean, id) and nested (lists,
// containers, attributes inside attributes). They arrive as text written one way, nested
// ones flattened to dotted names, while log-level attributes, globals, classifiers and
// extensions stay out. Expected values are read off the fixture by hand.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readEventLog } from '../../../processes/import/index.ts'
import { tempDir } from '../../support/temp-dir.ts'

const dir = tempDir('import-xes')
afterAll(() => dir.remove())

const log = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="2.0" xmlns="http://www.xes-standard.org/">
  <string key="source" value="log-level, not an event attribute"/>
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <trace>
    <string key="concept:name" value="c1"/>
    <boolean key="priority" value="TRUE"/>
    <event>
      <string key="concept:name" value="pack"/>
      <date key="time:timestamp" value="2024-03-31T01:30:00.5"/>
      <string key="lifecycle:transition" value="START"/>
      <string key="org:resource" value="Ann"/>
      <int key="count" value="+007"/>
      <float key="weight" value="2.50E0"/>
      <date key="due" value="2024-04-01T12:00:00+02:00"/>
      <id key="uuid" value="ABC-1"/>
      <list key="items">
        <values>
          <string key="item" value="i1"/>
          <string key="item" value="i2"/>
        </values>
      </list>
      <container key="address">
        <string key="city" value="Bonn"/>
      </container>
      <string key="amount" value="12.5">
        <string key="currency" value="EUR"/>
      </string>
    </event>
  </trace>
</log>
`

describe('XES attributes', () => {
  it('arrive typed, flattened and without the log-level ones', async () => {
    const path = join(dir.path, 'typed.xes')
    writeFileSync(path, log)
    const [event] = await Array.fromAsync(readEventLog(path, { timeZone: 'Europe/Berlin' }))
    expect(event).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      activity: 'pack',
      // 01:30 on the morning Berlin moves to summer time is still winter time (+01:00).
      timestampNs: BigInt(Date.UTC(2024, 2, 31, 0, 30, 0, 500)) * 1_000_000n,
      lifecycle: 'start',
      keys: { case_id: 'c1' },
      objects: [{ type: 'case_id', keyType: 'case_id', id: 'c1' }],
      resource: 'Ann',
      attributes: {
        'case:priority': 'true',
        'lifecycle:transition': 'START',
        count: '7',
        weight: '2.5',
        due: '2024-04-01T10:00:00Z',
        uuid: 'ABC-1',
        'items.0': 'i1',
        'items.1': 'i2',
        'address.city': 'Bonn',
        amount: '12.5',
        'amount.currency': 'EUR',
      },
    })
  })

  it('are detected as XES by content even when the name says otherwise', async () => {
    const path = join(dir.path, 'export.txt')
    writeFileSync(path, log)
    expect(await Array.fromAsync(readEventLog(path))).toHaveLength(1)
  })
})
