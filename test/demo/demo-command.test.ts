// `throughline demo`: its flags become run options (or a usage error naming the flag), a
// fault schedule reads as the help says, and the command runs a short history into a real
// collector and prints what it did.
import { Command, CommanderError } from 'commander'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { demoOptionsFromFlags, registerDemoCommand } from '../../cli/demo.ts'
import { ConfigError } from '../../core/errors.ts'
import { FaultSchedule, parseFaultSpec, resolveFault } from '../../demo/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

const HOUR = 3_600_000

describe('demo flags', () => {
  it('default to two days of history at full speed, then live, 60 orders an hour, seed 1, no fault', () => {
    expect(demoOptionsFromFlags({})).toEqual({ scenario: 'lead-to-cash', speed: 'max', ordersPerHour: 60, historyMs: 48 * HOUR, seed: 1, faults: [] })
  })

  it('read speed, rate, history, duration, seed and repeated faults', () => {
    expect(
      demoOptionsFromFlags({
        speed: '60',
        ordersPerHour: '12.5',
        history: '6h',
        duration: '10m',
        seed: '42',
        fault: ['erp_down@1h+30m', 'late_batch@-6h', 'slow_sync@2026-11-29T08:00:00+08:00+2h', 'clock_skew'],
      }),
    ).toEqual({
      scenario: 'lead-to-cash',
      speed: 60,
      ordersPerHour: 12.5,
      historyMs: 6 * HOUR,
      durationMs: 600_000,
      seed: 42,
      faults: [
        { name: 'erp_down', start: { kind: 'after_start', ms: HOUR }, durationMs: 30 * 60_000 },
        { name: 'late_batch', start: { kind: 'before_now', ms: 6 * HOUR } },
        { name: 'slow_sync', start: { kind: 'at', epochMs: Date.parse('2026-11-29T00:00:00Z') }, durationMs: 2 * HOUR },
        { name: 'clock_skew' },
      ],
    })
    expect(demoOptionsFromFlags({ duration: '0', history: '0' })).toMatchObject({ durationMs: 0, historyMs: 0 })
  })

  it.each([
    [{ fault: ['erp_dwn'] }, "--fault erp_dwn: unknown fault 'erp_dwn'; expected one of erp_down, slow_sync, mapping_errors, consumer_stopped"],
    [{ fault: ['erp_down@soon'] }, '--fault erp_down@soon: the start'],
    [{ fault: ['erp_down@1h+'] }, '--fault erp_down@1h+: the start'],
    [{ speed: '0' }, "--speed: expected a positive factor (60 runs an hour a minute) or 'max', got 0"],
    [{ ordersPerHour: '-3' }, '--orders-per-hour: expected a number above 0 and at most 100000, got -3'],
    [{ history: '40d' }, '--history: at most 29d'],
    [{ duration: 'forever' }, '--duration:'],
    [{ seed: '1.5' }, '--seed: expected a whole number from 0 to 4294967295, got 1.5'],
    [{ scenario: 'retail' }, "--scenario: unknown scenario 'retail'; expected one of lead-to-cash"],
  ])('refuse %j naming the flag', (flags, message) => {
    expect(() => demoOptionsFromFlags(flags)).toThrow(ConfigError)
    expect(() => demoOptionsFromFlags(flags)).toThrow(message)
  })
})

describe('a fault schedule', () => {
  it('resolves starts from the simulation start, back from now, or at an instant, and says when a fault is on', () => {
    const timeline = { startMs: 1_000 * HOUR, nowMs: 1_048 * HOUR }
    const windows = ['erp_down@1h+30m', 'erp_down@90m+1h', 'late_batch@-6h', 'clock_skew'].map((flag) => resolveFault(parseFaultSpec(flag), timeline))
    expect(windows.map((w) => [w.name, w.fromMs - timeline.startMs, w.toMs - timeline.startMs])).toEqual([
      ['erp_down', HOUR, 1.5 * HOUR],
      ['erp_down', 1.5 * HOUR, 2.5 * HOUR],
      ['late_batch', 42 * HOUR, Number.POSITIVE_INFINITY],
      ['clock_skew', 0, Number.POSITIVE_INFINITY],
    ])
    const schedule = new FaultSchedule(windows)
    expect(schedule.active('erp_down', timeline.startMs + HOUR - 1)).toBe(false)
    expect(schedule.active('erp_down', timeline.startMs + HOUR)).toBe(true)
    // Two windows that touch are one outage.
    expect(schedule.activeUntil('erp_down', timeline.startMs + HOUR) - timeline.startMs).toBe(2.5 * HOUR)
    expect(schedule.activeUntil('erp_down', timeline.startMs + 3 * HOUR) - timeline.startMs).toBe(3 * HOUR)
    expect(schedule.activeUntil('clock_skew', timeline.startMs)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('throughline demo', () => {
  let running: RunningCollector
  beforeAll(async () => {
    running = await startCollector()
  })
  afterAll(async () => {
    await running.close()
  })

  const program = (): Command => {
    const root = new Command('throughline').exitOverride()
    registerDemoCommand(root)
      .exitOverride()
      .configureOutput({ writeErr: () => undefined })
    return root
  }

  it('replays the history into the collector, prints a summary and ends', async () => {
    const printed: string[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line))
    try {
      await program().parseAsync(
        ['demo', '--otlp-url', running.url, '--history', '1h', '--duration', '0', '--orders-per-hour', '40', '--seed', '3', '--log-level', 'silent'],
        {
          from: 'user',
        },
      )
    } finally {
      log.mockRestore()
    }
    expect(printed.join('\n')).toMatch(/^demo lead-to-cash \(seed 3\): .*\n {2}orders won \d+, sales orders \d+/)
    expect(printed.join('\n')).toContain('export failures 0')
    expect(await running.waitForRows('otel_traces', 100)).toBeGreaterThanOrEqual(100)
  })

  it('refuses a bad fault as a usage error and an unreachable collector with its address', async () => {
    await expect(program().parseAsync(['demo', '--fault', 'meteor'], { from: 'user' })).rejects.toThrow(CommanderError)
    await expect(program().parseAsync(['demo', '--otlp-url', 'http://127.0.0.1:9', '--duration', '0'], { from: 'user' })).rejects.toThrow(
      /cannot reach the collector at http:\/\/127\.0\.0\.1:9/,
    )
  })
})
