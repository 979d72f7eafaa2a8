// The anomaly baseline, pure: where the past windows lie and the band their values make, with
// the figures worked by hand in the comments.
import { describe, expect, it } from 'vitest'
import { baselineBand, baselineTimes, outsideBand, type BaselineSpec } from '../../rules/baseline.ts'

const WEEK = 7 * 86_400_000
const seasonal = (over: Partial<Extract<BaselineSpec, { method: 'seasonal' }>> = {}): BaselineSpec => ({
  method: 'seasonal',
  weeks: 4,
  center: 'median',
  k: 3,
  minDeviation: 0,
  minSamples: 3,
  ...over,
})

describe('anomaly baseline', () => {
  it('reads the same hour of the previous weeks, oldest first, or the windows just before for an EWMA', () => {
    const at = Date.parse('2026-11-12T11:00:00Z')
    expect(baselineTimes(seasonal({ weeks: 3 }), at)).toEqual([at - 3 * WEEK, at - 2 * WEEK, at - WEEK])
    const ewma: BaselineSpec = { method: 'ewma', alpha: 0.5, history: 3, everyMs: 3_600_000, k: 2, minDeviation: 0, minSamples: 2 }
    expect(baselineTimes(ewma, at)).toEqual([at - 3 * 3_600_000, at - 2 * 3_600_000, at - 3_600_000])
  })

  it('makes a median ± k × 1.4826 × MAD band', () => {
    // {13, 11, 12, 10}: median 11.5; |deviations| {1.5, 0.5, 0.5, 1.5}, median 1.0;
    // spread 1.4826; 3 × 1.4826 = 4.4478: [7.0522, 15.9478].
    const band = baselineBand(seasonal(), [13, 11, 12, 10])
    expect(band?.center).toBe(11.5)
    expect(band?.lower).toBeCloseTo(7.0522, 6)
    expect(band?.upper).toBeCloseTo(15.9478, 6)
    expect(band?.samples).toBe(4)
  })

  it('makes a mean ± k × stddev band, at least min_deviation wide', () => {
    // mean 11.5; population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, stddev 1.1180;
    // 3 × 1.1180 = 3.3541: [8.1459, 14.8541].
    const band = baselineBand(seasonal({ center: 'mean' }), [13, 11, 12, 10])
    expect(band?.lower).toBeCloseTo(8.1459, 4)
    expect(band?.upper).toBeCloseTo(14.8541, 4)
    // Identical past values have no spread: min_deviation keeps the band from being a point.
    expect(baselineBand(seasonal({ minDeviation: 2 }), [5, 5, 5])).toEqual({ center: 5, lower: 3, upper: 7, samples: 3 })
    expect(baselineBand(seasonal(), [])).toBeUndefined()
  })

  it('makes an EWMA band from the exponentially weighted mean and variance', () => {
    // alpha 0.5 over [10, 12, 11]: seed mean 10, var 0; 12: diff 2, mean 11, var 0.5 × (0 + 2 × 1) = 1;
    // 11: diff 0, mean 11, var 0.5 × 1 = 0.5; stddev 0.7071; k 2: [9.5858, 12.4142].
    const band = baselineBand({ method: 'ewma', alpha: 0.5, history: 3, everyMs: 1, k: 2, minDeviation: 0, minSamples: 2 }, [10, 12, 11])
    expect(band?.center).toBe(11)
    expect(band?.lower).toBeCloseTo(9.5858, 4)
    expect(band?.upper).toBeCloseTo(12.4142, 4)
  })

  it('breaches on the side the direction names', () => {
    const band = { center: 10, lower: 8, upper: 12, samples: 4 }
    expect([outsideBand('above', 13, band), outsideBand('above', 7, band), outsideBand('below', 7, band), outsideBand('both', 7, band)]).toEqual([
      true,
      false,
      true,
      true,
    ])
    // The edges are inside.
    expect(outsideBand('both', 12, band) || outsideBand('both', 8, band)).toBe(false)
  })
})
