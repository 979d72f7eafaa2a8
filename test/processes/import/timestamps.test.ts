// Timestamps as event logs write them, read into UTC nanoseconds. Expected instants are
// written out with Date.UTC from the text by hand (offset subtracted), not computed by us.
import { describe, expect, it } from 'vitest'
import { parseTimestamp, timestampLayoutFromPattern, type TimestampLayout } from '../../../processes/import/timestamp.ts'
import { timeZoneNamed, type TimeZone } from '../../../core/time-zone.ts'

const zone = (name: string): TimeZone => {
  const found = timeZoneNamed(name)
  if (typeof found === 'string') throw new Error(found)
  return found
}
const utc = zone('UTC')
const ns = (ms: number, extraNs = 0n): bigint => BigInt(ms) * 1_000_000n + extraNs
const layout = (pattern: string): TimestampLayout => {
  const found = timestampLayoutFromPattern(pattern)
  if (typeof found === 'string') throw new Error(found)
  return found
}

describe('parseTimestamp', () => {
  it.each([
    ['2010-12-30T14:32:00.000+01:00', ns(Date.UTC(2010, 11, 30, 13, 32))],
    ['2011-10-11 13:45:40.276000+02:00', ns(Date.UTC(2011, 9, 11, 11, 45, 40, 276))],
    ['2020-01-01T00:00:00.123456789Z', ns(Date.UTC(2020, 0, 1), 123_456_789n)],
    ['2020-01-01T05:30:00+0530', ns(Date.UTC(2020, 0, 1))],
    ['2020-01-01T00:00:00-03', ns(Date.UTC(2020, 0, 1, 3))],
    ['1970-01-01T00:00:00.000+01:00', -3_600_000_000_000n],
    ['1948-01-26T22:59:00+00:00', ns(Date.UTC(1948, 0, 26, 22, 59))],
    ['2019/11/03 01:11:19.000', ns(Date.UTC(2019, 10, 3, 1, 11, 19))],
    ['2024-02-29', ns(Date.UTC(2024, 1, 29))],
    ['2024-02-29 10:15', ns(Date.UTC(2024, 1, 29, 10, 15))],
    ['2024-02-29T10:15:00,5Z', ns(Date.UTC(2024, 1, 29, 10, 15, 0, 500))],
  ])('reads %s', (text, expected) => {
    expect(parseTimestamp(text, utc)).toBe(expected)
  })

  it.each([
    ['2011-02-29T00:00:00Z', 'day 29 does not exist in 2011-02'],
    ['2011-13-01T00:00:00Z', 'month 13 does not exist'],
    ['2011-01-01T24:00:00Z', 'does not exist'],
    ['2011-01-01T10:00:00+25:00', 'offset +25:00 is out of range'],
    ['30.12.2010 14:32', 'does not match the timestamp format'],
    ['', 'does not match the timestamp format'],
  ])('refuses %s', (text, reason) => {
    expect(parseTimestamp(text, utc)).toContain(reason)
  })

  it('takes a reading without an offset in the given zone, summer and winter', () => {
    const berlin = zone('Europe/Berlin')
    expect(parseTimestamp('2022-01-09T15:00:00', berlin)).toBe(ns(Date.UTC(2022, 0, 9, 14)))
    expect(parseTimestamp('2022-07-09 15:00:00', berlin)).toBe(ns(Date.UTC(2022, 6, 9, 13)))
    expect(parseTimestamp('2022-07-09 15:00:00', zone('+05:30'))).toBe(ns(Date.UTC(2022, 6, 9, 9, 30)))
    // An offset in the text wins over the zone.
    expect(parseTimestamp('2022-07-09T15:00:00Z', berlin)).toBe(ns(Date.UTC(2022, 6, 9, 15)))
  })

  it('resolves the hour the clocks go back to its first occurrence, and the skipped hour forward', () => {
    const berlin = zone('Europe/Berlin')
    // 2011-10-30 02:30 happens twice in Berlin: first at 00:30 UTC (+02:00), then at 01:30 UTC.
    expect(parseTimestamp('2011-10-30 02:30:00', berlin)).toBe(ns(Date.UTC(2011, 9, 30, 0, 30)))
    // 2011-03-27 02:30 never happens (01:00 UTC jumps from 02:00 to 03:00): read as 03:30 +02:00.
    expect(parseTimestamp('2011-03-27 02:30:00', berlin)).toBe(ns(Date.UTC(2011, 2, 27, 1, 30)))
    const newYork = zone('America/New_York')
    // 2011-11-06 01:30 happens twice in New York: first at 05:30 UTC (-04:00).
    expect(parseTimestamp('2011-11-06 01:30:00', newYork)).toBe(ns(Date.UTC(2011, 10, 6, 5, 30)))
  })

  it('reads layouts given as a pattern', () => {
    expect(parseTimestamp('30.12.2010 14:32:05', utc, layout('DD.MM.YYYY HH:mm:ss'))).toBe(ns(Date.UTC(2010, 11, 30, 14, 32, 5)))
    expect(parseTimestamp('1/2/2011 9:05', utc, layout('M/D/YYYY H:mm'))).toBe(ns(Date.UTC(2011, 0, 2, 9, 5)))
    expect(parseTimestamp('20110102 090500.25 +0100', utc, layout('YYYYMMDD HHmmss.SS Z'))).toBe(ns(Date.UTC(2011, 0, 2, 8, 5, 0, 250)))
    expect(parseTimestamp('2011-01-02', utc, layout('DD.MM.YYYY'))).toContain('does not match')
    expect(timestampLayoutFromPattern('HH:mm')).toContain('needs YYYY')
  })

  it('refuses zones that do not exist', () => {
    expect(timeZoneNamed('Mars/Olympus')).toContain('is not a time zone')
    expect(timeZoneNamed('+24:00')).toContain('is not a valid UTC offset')
  })
})
