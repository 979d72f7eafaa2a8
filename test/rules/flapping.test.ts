// Flap detection, pure: the share of state changes over the last N evaluations, with the
// figures worked by hand in the comments.
import { describe, expect, it } from 'vitest'
import { changePercent, NOT_FLAPPING, observeFlapping, type FlapState } from '../../rules/flapping.ts'
import type { EvalResult } from '../../rules/index.ts'

describe('flap detection', () => {
  const spec = { window: 4, high: 50, low: 25 }
  const run = (results: readonly EvalResult[]): FlapState[] => {
    const out: FlapState[] = []
    let state = NOT_FLAPPING
    for (const r of results) out.push((state = observeFlapping(state, r, spec)))
    return out
  }

  it('counts state changes among consecutive results as a share of the possible ones', () => {
    expect(changePercent('obob')).toBe(100)
    expect(changePercent('obbb')).toBeCloseTo(33.333, 3)
    expect(changePercent('b')).toBe(0)
  })

  it('starts at the high threshold once the window is full, and stops only below the low one', () => {
    const states = run(['ok', 'breach', 'ok', 'breach', 'ok', 'breach', 'breach', 'breach', 'breach'])
    // 'ob', 'obo': the window (4) is not full yet, however many changes.
    // 'obob' 100 % >= 50: flapping; 'bobo', 'obob' 100 %; 'bobb' 66.7 % and 'obbb' 33.3 % stay
    // at or above 25; 'bbbb' 0 % < 25 stops it.
    expect(states.map((s) => s.flapping)).toEqual([false, false, false, true, true, true, true, true, false])
    expect(states.at(-1)?.history).toBe('bbbb')
  })

  it('leaves UNKNOWN out: it is not a state of the condition', () => {
    const states = run(['ok', 'unknown', 'breach', 'unknown'])
    expect(states.map((s) => s.history)).toEqual(['o', 'o', 'ob', 'ob'])
  })
})
