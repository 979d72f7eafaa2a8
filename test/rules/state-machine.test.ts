// The alert state machine on event time, with hand-written sequences: `for`, keep_firing_for,
// pending that clears without a word, UNKNOWN freezing the timers, episodes, other resolutions.
import { describe, expect, it } from 'vitest'
import { applyObservation, inactiveRecord, resolveFor, type AlertRecord, type AlertTimers, type EvalResult, type Transition } from '../../rules/index.ts'

const MIN = 60_000

function run(timers: AlertTimers, steps: ReadonlyArray<[number, EvalResult]>): { record: AlertRecord; transitions: Transition[] } {
  let record = inactiveRecord('fp1', 'rule', { alertname: 'rule' })
  const transitions: Transition[] = []
  for (const [minute, result] of steps) {
    const step = applyObservation(record, { atMs: minute * MIN, result }, timers)
    record = step.record
    transitions.push(...step.transitions)
  }
  return { record, transitions }
}

const path = (transitions: readonly Transition[]) => transitions.map((t) => `${t.atMs / MIN}:${t.from}->${t.to}(${t.reason})`)

describe('the alert state machine', () => {
  it('fires after a breach held for `for`, and resolves on OK without keep_firing_for', () => {
    const { record, transitions } = run({ forMs: 5 * MIN, keepFiringForMs: 0 }, [
      [0, 'breach'],
      [4, 'breach'],
      [5, 'breach'],
      [6, 'breach'],
      [7, 'ok'],
    ])
    expect(path(transitions)).toEqual(['0:inactive->pending(breach)', '5:pending->firing(held_for)', '7:firing->resolved(recovered)'])
    expect(record).toMatchObject({
      phase: 'resolved',
      episodeId: 'fp1@0',
      impactStartMs: 0,
      firingSinceMs: 5 * MIN,
      conditionClearedMs: 7 * MIN,
      resolvedMs: 7 * MIN,
      resolveReason: 'recovered',
    })
  })

  it('drops a pending alert that sees OK, so nothing was ever firing', () => {
    const { record, transitions } = run({ forMs: 5 * MIN, keepFiringForMs: 0 }, [
      [0, 'breach'],
      [3, 'ok'],
    ])
    expect(path(transitions)).toEqual(['0:inactive->pending(breach)', '3:pending->inactive(cleared_while_pending)'])
    expect(record.episodeId).toBe('')
  })

  it('fires at once when `for` is 0', () => {
    expect(path(run({ forMs: 0, keepFiringForMs: 0 }, [[2, 'breach']]).transitions)).toEqual(['2:inactive->firing(breach)'])
  })

  it('keeps firing through a short recovery (same episode) and resolves after keep_firing_for of OK', () => {
    const { record, transitions } = run({ forMs: 0, keepFiringForMs: 10 * MIN }, [
      [0, 'breach'],
      [5, 'ok'],
      [8, 'breach'],
      [9, 'ok'],
      [15, 'ok'],
      [19, 'ok'],
    ])
    expect(path(transitions)).toEqual([
      '0:inactive->firing(breach)',
      '5:firing->recovering(condition_cleared)',
      '8:recovering->firing(breach_again)',
      '9:firing->recovering(condition_cleared)',
      '19:recovering->resolved(recovered)',
    ])
    // The condition cleared at 9; the alert resolved at 19: both are kept.
    expect(record).toMatchObject({ episodeId: 'fp1@0', conditionClearedMs: 9 * MIN, resolvedMs: 19 * MIN })
  })

  it('freezes `for` while UNKNOWN: time without knowing does not count', () => {
    // Pending at 0; unknown from 2 to 8 (6 minutes frozen): 5 minutes of known breach are reached at 11, not 5.
    const { transitions } = run({ forMs: 5 * MIN, keepFiringForMs: 0 }, [
      [0, 'breach'],
      [2, 'unknown'],
      [5, 'unknown'],
      [8, 'breach'],
      [10, 'breach'],
      [11, 'breach'],
    ])
    expect(path(transitions)).toEqual(['0:inactive->pending(breach)', '11:pending->firing(held_for)'])
  })

  it('holds a firing alert through UNKNOWN without resolving it', () => {
    const { record, transitions } = run({ forMs: 0, keepFiringForMs: 0 }, [
      [0, 'breach'],
      [1, 'unknown'],
      [30, 'unknown'],
    ])
    expect(path(transitions)).toEqual(['0:inactive->firing(breach)'])
    expect(record).toMatchObject({ phase: 'firing', unknownSinceMs: MIN })
  })

  it('opens a new episode for a breach after resolution, with the impact start the data gives', () => {
    let record = run({ forMs: 0, keepFiringForMs: 0 }, [
      [0, 'breach'],
      [1, 'ok'],
    ]).record
    const again = applyObservation(record, { atMs: 30 * MIN, result: 'breach', impactStartMs: 27 * MIN }, { forMs: 0, keepFiringForMs: 0 })
    record = again.record
    expect(record).toMatchObject({ phase: 'firing', episodeId: `fp1@${27 * MIN}`, impactStartMs: 27 * MIN, resolvedMs: 0, resolveReason: '' })
  })

  it('resolves for late data or completed instances with that reason, and ignores replayed older evaluations', () => {
    const firing = run({ forMs: 0, keepFiringForMs: 0 }, [[10, 'breach']]).record
    expect(applyObservation(firing, { atMs: 5 * MIN, result: 'ok' }, { forMs: 0, keepFiringForMs: 0 }).transitions).toEqual([])
    const late = resolveFor(firing, 'late_data', 12 * MIN)
    expect(late.record).toMatchObject({ phase: 'resolved', resolveReason: 'late_data', resolvedMs: 12 * MIN })
    expect(path(late.transitions)).toEqual(['12:firing->resolved(late_data)'])
  })
})
