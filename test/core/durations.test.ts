// Durations as people write them in definitions and rules, to milliseconds and back.
import { describe, expect, it } from 'vitest'
import { durationMs, formatDuration, parseDuration } from '../../core/durations.ts'

const ms = (text: string): number | string => {
  const parsed = parseDuration(text)
  return parsed.ok ? parsed.ms : parsed.message
}

describe('parseDuration', () => {
  it('reads each unit: 90s, 15m, 2h, 3d, 1w, 250ms', () => {
    expect(ms('90s')).toBe(90_000)
    expect(ms('15m')).toBe(900_000)
    expect(ms('2h')).toBe(7_200_000)
    expect(ms('3d')).toBe(259_200_000)
    expect(ms('1w')).toBe(604_800_000)
    expect(ms('250ms')).toBe(250)
  })

  it('adds compound parts, with or without spaces, and unit words', () => {
    expect(ms('1h30m')).toBe(5_400_000)
    expect(ms('1d 2h 3m 4s')).toBe(86_400_000 + 7_200_000 + 180_000 + 4_000)
    expect(ms('2 hours')).toBe(7_200_000)
    expect(ms('1 hour 30 minutes')).toBe(5_400_000)
    expect(ms('1.5h')).toBe(5_400_000)
  })

  it('reads ISO 8601 durations with weeks, days and time parts', () => {
    expect(ms('PT2H')).toBe(7_200_000)
    expect(ms('PT1H30M')).toBe(5_400_000)
    expect(ms('P1DT12H')).toBe(129_600_000)
    expect(ms('P2W')).toBe(1_209_600_000)
    expect(ms('PT0.5S')).toBe(500)
    expect(ms('PT1M')).toBe(60_000)
  })

  it('refuses a number without a unit and says the unit is missing', () => {
    expect(ms('120')).toMatch(/'120' is not a duration: a unit is missing/)
  })

  it('refuses months and years, which have no fixed length', () => {
    expect(ms('P1M')).toMatch(/years and months have no fixed length/)
    expect(ms('P1Y')).toMatch(/years and months have no fixed length/)
  })

  it('refuses units out of order or repeated, rather than guessing', () => {
    expect(ms('30m1h')).toMatch(/largest to smallest/)
    expect(ms('1h1h')).toMatch(/largest to smallest/)
  })

  it('refuses empty, negative, unknown units and fractions of a millisecond', () => {
    expect(ms('')).toMatch(/it is empty/)
    expect(ms('-5m')).toMatch(/never negative/)
    expect(ms('5 fortnights')).toMatch(/write it like '90s'/)
    expect(ms('1constructor')).toMatch(/write it like/)
    expect(ms('1.5ms')).toMatch(/whole number of milliseconds/)
    expect(ms('P')).toMatch(/not an ISO 8601 duration/)
    expect(ms('PT')).toMatch(/not an ISO 8601 duration/)
  })

  it('throws a RangeError from durationMs on a bad value', () => {
    expect(durationMs('15m')).toBe(900_000)
    expect(() => durationMs('soon')).toThrow(RangeError)
  })
})

describe('formatDuration', () => {
  it('writes the largest units first and leaves zero parts out', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms')
    expect(formatDuration(28 * 86_400_000)).toBe('28d')
    expect(formatDuration(1_500)).toBe('1s500ms')
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(-60_000)).toBe('-1m')
  })

  it('formats what parseDuration reads back to the same milliseconds', () => {
    for (const value of [1, 999, 60_000, 5_400_000, 129_600_000, 1_209_600_000]) expect(ms(formatDuration(value))).toBe(value)
  })
})
