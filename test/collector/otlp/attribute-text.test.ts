// How AnyValues become attribute text, matching the Collector's pdata Value.AsString() that
// the contrib ClickHouse exporter stores: Go's ES6-style doubles, JSON for arrays and maps.
import { describe, expect, it } from 'vitest'
import { formatDouble, jsonObject, jsonString } from '../../../collector/otlp/attribute-text.ts'

describe('attribute text', () => {
  it('formats doubles as Go does for finite values: shortest round-trip, exponent past 1e21 and below 1e-6', () => {
    expect(formatDouble(637.704)).toBe('637.704')
    expect(formatDouble(2)).toBe('2')
    expect(formatDouble(0.1 + 0.2)).toBe('0.30000000000000004')
    expect(formatDouble(1e21)).toBe('1e+21')
    expect(formatDouble(123456789012345680000)).toBe('123456789012345680000')
    expect(formatDouble(0.000001)).toBe('0.000001')
    expect(formatDouble(1e-7)).toBe('1e-7')
    expect(formatDouble(-2.5e-8)).toBe('-2.5e-8')
  })

  it("keeps the sign of negative zero and writes non-finite values as Go's error text", () => {
    expect(formatDouble(-0)).toBe('-0')
    expect(formatDouble(Number.NaN)).toBe('json: unsupported value: NaN')
    expect(formatDouble(Number.POSITIVE_INFINITY)).toBe('json: unsupported value: +Inf')
    expect(formatDouble(Number.NEGATIVE_INFINITY)).toBe('json: unsupported value: -Inf')
  })

  it("writes strings inside arrays and maps as Go's encoder does, without HTML escaping", () => {
    expect(jsonString('<a href="x">&</a>')).toBe('"<a href=\\"x\\">&</a>"')
    expect(jsonString('line\u2028sep\u2029')).toBe('"line\\u2028sep\\u2029"')
  })

  it('sorts map keys by their UTF-8 bytes and keeps the last of a repeated key', () => {
    // Values arrive already rendered as JSON.
    expect(jsonObject(['b', '1', 'a', '2', 'b', '3'])).toBe('{"a":2,"b":3}')
    // In UTF-16 units U+1F600 (D83D DE00) comes first; in UTF-8 U+FF5E (EF BD 9E) is before F0 9F 98 80.
    expect(jsonObject(['\u{1F600}', '1', '\uFF5E', '2'])).toBe('{"\uFF5E":2,"\u{1F600}":1}')
  })
})
