// OCEL 2.0 read from its three encodings. Expected numbers: independent-expectations.py,
// section "OCEL 2.0 example" (Python's json, xml.etree and sqlite3). The XML and SQLite
// files write local time without an offset where JSON writes UTC (ORIGIN.md's trap): read
// with timeZone Europe/Berlin they give the JSON's instants.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type ImportWarning, readEventLog, readEventLogObjects } from '../../../processes/import/index.ts'
import { sharedDataPath } from '../../support/shared-data.ts'
import { tempDir } from '../../support/temp-dir.ts'

const example = (extension: string): string => sharedDataPath(`eventlogs/ocel/ocel20_example.${extension}`)
const recorded = { timeZone: 'Europe/Berlin' }
const byId = <T extends { readonly eventId: string } | { readonly id: string }>(items: T[]): T[] =>
  items.sort((a, b) => {
    const left = 'eventId' in a ? a.eventId : a.id
    const right = 'eventId' in b ? b.eventId : b.id
    return left < right ? -1 : left > right ? 1 : 0
  })

describe('OCEL 2.0 example', () => {
  it('gives the same events, relations and objects from JSON, XML and SQLite', async () => {
    const json = byId(await Array.fromAsync(readEventLog(example('jsonocel'))))
    const xml = byId(await Array.fromAsync(readEventLog(example('xmlocel'), recorded)))
    const sqlite = byId(await Array.fromAsync(readEventLog(example('sqlite'), recorded)))
    // "json events 13 e2o 20 objects 9 o2o 7 activities 8", the same for xml and sqlite
    expect(json.length).toBe(13)
    expect(json.reduce((n, e) => n + e.objects.length, 0)).toBe(20)
    expect(new Set(json.map((e) => e.activity)).size).toBe(8)
    expect(xml).toEqual(json)
    expect(sqlite).toEqual(json)
    const objects = await Promise.all(
      ['jsonocel', 'xmlocel', 'sqlite'].map(async (ext) => byId(await Array.fromAsync(readEventLogObjects(example(ext), recorded)))),
    )
    expect(objects[0]!.length).toBe(9)
    expect(objects[0]!.reduce((n, o) => n + o.relations.length, 0)).toBe(7)
    expect(objects[1]).toEqual(objects[0])
    expect(objects[2]).toEqual(objects[0])
  })

  it('makes each related object type a key type (e3: one requisition, one order)', async () => {
    const events = await Array.fromAsync(readEventLog(example('xmlocel'), recorded))
    const e3 = events.find((e) => e.eventId === 'e3')!
    // json e3: time 2022-01-10T08:15:00+00:00, PR1 "Created order from PR", PO1 "Created order with identifier";
    // xml e3 says 2022-01-10T09:15:00 (Berlin, winter: +01:00).
    expect(e3).toEqual({
      eventId: 'e3',
      activity: 'Create Purchase Order',
      timestampNs: BigInt(Date.UTC(2022, 0, 10, 8, 15)) * 1_000_000n,
      lifecycle: 'complete',
      keys: { purchase_order: 'PO1', purchase_requisition: 'PR1' },
      objects: [
        { type: 'Purchase Order', keyType: 'purchase_order', id: 'PO1', qualifier: 'Created order with identifier' },
        { type: 'Purchase Requisition', keyType: 'purchase_requisition', id: 'PR1', qualifier: 'Created order from PR' },
      ],
      attributes: { po_creator: 'Mike' },
    })
  })

  it('reads offset-less XML and SQLite times as UTC unless told the zone (the trap)', async () => {
    const e1 = (await Array.fromAsync(readEventLog(example('sqlite')))).find((e) => e.eventId === 'e1')
    // sqlite e1: '2022-01-09 15:00:00'; JSON says 2022-01-09T14:00:00+00:00
    expect(e1!.timestampNs).toBe(BigInt(Date.UTC(2022, 0, 9, 15)) * 1_000_000n)
  })

  it('keeps object attribute history with the instant each value took effect', async () => {
    const objects = await Array.fromAsync(readEventLogObjects(example('jsonocel')))
    const po1 = objects.find((o) => o.id === 'PO1')!
    // JSON: po_quantity 500 at 1970-01-01T00:00:00Z, 600 at 2022-01-13T11:00:00+00:00; PO1 -> R1, R2 "Invoice from PO"
    expect(po1.attributes.filter((a) => a.name === 'po_quantity')).toEqual([
      { name: 'po_quantity', value: '500', timestampNs: 0n },
      { name: 'po_quantity', value: '600', timestampNs: BigInt(Date.UTC(2022, 0, 13, 11)) * 1_000_000n },
    ])
    expect(po1.relations).toEqual([
      { id: 'R1', qualifier: 'Invoice from PO' },
      { id: 'R2', qualifier: 'Invoice from PO' },
    ])
  })
})

describe('OCEL relations', () => {
  const dir = tempDir('ocel')
  afterAll(() => dir.remove())

  it('lists every object of one type in objects and keys the smallest id, whatever the order', async () => {
    const path = join(dir.path, 'items.jsonocel')
    writeFileSync(
      path,
      JSON.stringify({
        objectTypes: [
          { name: 'order', attributes: [] },
          { name: 'item', attributes: [] },
        ],
        eventTypes: [{ name: 'pack', attributes: [{ name: 'weight', type: 'float' }] }],
        objects: [
          { id: 'o1', type: 'order' },
          { id: 'i3', type: 'item' },
          { id: 'i1', type: 'item' },
        ],
        events: [
          {
            id: 'p1',
            type: 'pack',
            time: '2024-03-01T10:00:00+01:00',
            attributes: [{ name: 'weight', value: 2.5 }],
            relationships: [
              { objectId: 'i3', qualifier: 'packed' },
              { objectId: 'o1', qualifier: 'for' },
              { objectId: 'i1', qualifier: 'packed' },
            ],
          },
        ],
      }),
    )
    const [event] = await Array.fromAsync(readEventLog(path))
    expect(event!.keys).toEqual({ order: 'o1', item: 'i1' })
    expect(event!.objects.map((o) => o.id)).toEqual(['i1', 'i3', 'o1'])
    expect(event!.attributes).toEqual({ weight: '2.5' })
    expect(event!.timestampNs).toBe(BigInt(Date.UTC(2024, 2, 1, 9)) * 1_000_000n)
  })

  it('keeps relations to undeclared objects with type null and warns once (ocpa logistics)', async () => {
    const warnings: ImportWarning[] = []
    let events = 0
    let relations = 0
    let untyped = 0
    for await (const event of readEventLog(sharedDataPath('eventlogs/ocel/ocpa-logistics.sqlite'), { warn: (w) => warnings.push(w) })) {
      events += 1
      relations += event.objects.length
      untyped += event.objects.filter((o) => o.type === null).length
    }
    // "logistics events (8727,) e2o (16738,) e2o to undeclared objects (5080,)"
    expect([events, relations, untyped]).toEqual([8727, 16738, 5080])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain('5080 event-to-object relations')
  })

  it('reads the internally inconsistent ocpa running example without failing', async () => {
    let events = 0
    for await (const _event of readEventLog(sharedDataPath('eventlogs/ocel/ocpa-running-example.sqlite'))) events += 1
    expect(events).toBe(18211)
  })

  it('prefixes OCEL ids with the caller namespace, so two logs that reuse e1 stay apart', async () => {
    const [first] = await Array.fromAsync(readEventLog(example('jsonocel'), { eventIdNamespace: 'p2p-2022' }))
    expect(first!.eventId).toBe('p2p-2022:e1')
  })
})
