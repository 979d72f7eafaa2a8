// Which facts a rule evaluation reads (ADR 0005): the rollup holds every instance as of now, so
// only an evaluation at about now may read it; a past window recomputes from the events.
import { describe, expect, it } from 'vitest'
import { factsAt } from '../../rules/kpi-measure.ts'

describe('factsAt', () => {
  const now = Date.parse('2026-11-29T12:00:00Z')
  it('reads the rollup for an evaluation within a minute of now, when the engine has one', () => {
    expect(factsAt('rollup', now, now)).toBe('rollup')
    expect(factsAt('rollup', now - 60_000, now)).toBe('rollup')
    expect(factsAt('rollup', now + 60_000, now)).toBe('rollup')
  })
  it('recomputes from the events for a past window (a baseline, a replay, a unit test) or without a rollup', () => {
    expect(factsAt('rollup', now - 60_001, now)).toBeUndefined()
    expect(factsAt('rollup', now - 7 * 86_400_000, now)).toBeUndefined()
    expect(factsAt(undefined, now, now)).toBeUndefined()
    expect(factsAt('events', now, now)).toBeUndefined()
  })
})
