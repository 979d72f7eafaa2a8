// Which facts an answer reads (ADR 0005): the rollup holds every instance as of now, so only an
// answer as of about now (an API query, a rule evaluation) may read it; a past one recomputes
// from the events. One policy for the API and the rules engine.
import { describe, expect, it } from 'vitest'
import { factsSourceAsOf } from '../../processes/index.ts'
import { factsFor } from '../../rules/kpi-measure.ts'

describe('factsSourceAsOf', () => {
  const now = Date.parse('2026-11-29T12:00:00Z')
  it('reads the rollup as of within a minute of now (or later), where one is kept', () => {
    expect(factsSourceAsOf('rollup', now, now)).toBe('rollup')
    expect(factsSourceAsOf('rollup', now - 60_000, now)).toBe('rollup')
    expect(factsSourceAsOf('rollup', now + 60_000, now)).toBe('rollup')
  })
  it('recomputes from the events for a past as_of (a baseline, a replay, a unit test) or without a rollup', () => {
    expect(factsSourceAsOf('rollup', now - 60_001, now)).toBe('events')
    expect(factsSourceAsOf('rollup', now - 7 * 86_400_000, now)).toBe('events')
    expect(factsSourceAsOf(undefined, now, now)).toBe('events')
    expect(factsSourceAsOf('events', now, now)).toBe('events')
  })
  it("judges a rule evaluation against the engine's clock, not the machine's", () => {
    // The benchmark's engine runs on a clock shifted back to the end of its data.
    const engineNow = now - 30 * 86_400_000
    const ctx = { store: undefined as never, definitions: new Map(), facts: 'rollup' as const, nowMs: engineNow }
    expect(factsFor(ctx, engineNow)).toBe('rollup')
    expect(factsFor(ctx, engineNow - 3_600_000)).toBe('events')
  })
})
