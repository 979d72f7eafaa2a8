// The streaming JSON scanner must find the same array elements as JSON.parse of the whole
// document, wherever the chunks happen to split it (inside strings, escapes, keys).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { JsonSectionScanner } from '../../../processes/import/json-sections.ts'
import { sharedDataPath } from '../../support/shared-data.ts'

function scan(text: string, sections: string[], chunkSize: number): Record<string, unknown[]> {
  const scanner = new JsonSectionScanner(sections)
  const found: Record<string, unknown[]> = Object.fromEntries(sections.map((s) => [s, []]))
  for (let i = 0; i < text.length; i += chunkSize) {
    for (const element of scanner.feed(text.slice(i, i + chunkSize))) found[element.section]!.push(JSON.parse(element.text))
  }
  scanner.end()
  return found
}

describe('JsonSectionScanner', () => {
  it('finds the elements JSON.parse finds, for every chunk size from 1 to 9', () => {
    const text = readFileSync(sharedDataPath('eventlogs/ocel/ocel20_example.jsonocel'), 'utf8')
    const whole = JSON.parse(text) as Record<string, unknown[]>
    for (let size = 1; size <= 9; size += 1) {
      expect(scan(text, ['events', 'objects'], size)).toEqual({ events: whole.events, objects: whole.objects })
    }
  })

  it('is not fooled by brackets, quotes and keys inside strings or nested values', () => {
    const document = {
      meta: { events: [{ not: 'this one' }], note: 'a "quoted" ] } [ {' },
      'weird \\"key': [1],
      events: [
        { id: 'e"1', text: '}]\\', nested: { events: [{ id: 'inner' }] } },
        { id: 'e2', list: [[], {}] },
      ],
    }
    for (const size of [1, 2, 3, 5, 64]) {
      expect(scan(JSON.stringify(document, null, 2), ['events'], size)).toEqual({ events: document.events })
    }
  })

  it('says where a truncated document stops and refuses non-object elements', () => {
    expect(() => scan('{"events": [{"id": "e1"}, {"id"', ['events'], 4)).toThrow(/stops inside "events"/)
    expect(() => scan('{"events": [1, 2]}', ['events'], 4)).toThrow(/"events"\[0\] is not an object/)
  })
})
