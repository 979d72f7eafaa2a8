// Runs a demo scenario: builds the simulated world (virtual clock, seeded randomness, fault
// schedule, one OpenTelemetry SDK per service), replays the history window ending at the
// command's start at the chosen speed, then goes on in real time until the duration is over
// or stop() is called. Flushes everything before it resolves.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../core/logger.ts'
import { EventQueue } from './event-queue.ts'
import { EventsPoster, type PostStats } from './events-poster.ts'
import { ConfigError } from '../core/errors.ts'
import { FaultSchedule, resolveFault, type FaultSpec, type FaultWindow } from './faults.ts'
import { realInstantFor, type Pace, type Speed } from './pace.ts'
import { SeededRandom } from './random.ts'
import { SCENARIOS, type Scenario, type ScenarioName, type ScenarioReports } from './scenarios.ts'
import type { DemoSink } from './sink.ts'
import { TelemetryHub, type TelemetryStats } from './telemetry.ts'
import type { World } from './world.ts'

export { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios.ts'

/** Share of spans, log records and event batches delivered twice while duplicate_deliveries is on. */
export const DUPLICATE_RATE = 0.2

export interface DemoOptions<S extends ScenarioName = ScenarioName> {
  readonly scenario: S
  readonly sink: DemoSink
  readonly seed: number
  /** How fast the history is replayed; after it the simulation runs in real time. */
  readonly speed: Speed
  /** Simulated time before the command's start to begin at. */
  readonly historyMs: number
  /** Stop when the simulated clock reaches the command's start + this; unset: run until stopped. */
  readonly durationMs?: number
  readonly ordersPerHour: number
  readonly customerChangesPerHour?: number
  readonly faults: readonly FaultSpec[]
  /** The command's start (default: now): the history ends here. Tests fix it. */
  readonly nowMs?: number
  readonly logger?: Logger
}

/** A run's summary; the report is the scenario's own (lead-to-cash unless said otherwise). */
export interface DemoSummary<S extends ScenarioName = 'lead-to-cash'> {
  readonly scenario: S
  readonly seed: number
  /** The simulated window: from its first instant to the instant it reached. */
  readonly fromMs: number
  readonly toMs: number
  readonly faults: readonly FaultWindow[]
  readonly telemetry: TelemetryStats
  readonly events: PostStats
  readonly report: ScenarioReports[S]
  /** The report as the command prints it. */
  readonly reportLines: readonly string[]
}

export interface RunningDemo<S extends ScenarioName = ScenarioName> {
  /** Resolves when the run is over (duration reached or stopped) and everything is flushed. */
  readonly done: Promise<DemoSummary<S>>
  stop(): Promise<DemoSummary<S>>
}

/** Throws a ConfigError, before anything runs, for a fault the scenario does not simulate. */
export function checkScenarioFaults(scenario: ScenarioName, faults: readonly FaultSpec[]): void {
  const known: readonly string[] = SCENARIOS[scenario].faults
  for (const fault of faults) {
    if (!known.includes(fault.name)) throw new ConfigError(`--fault ${fault.name}: not a fault of scenario ${scenario}; expected one of ${known.join(', ')}`)
  }
}

export function startDemo<S extends ScenarioName>(options: DemoOptions<S>): RunningDemo<S> {
  checkScenarioFaults(options.scenario, options.faults)
  const controller = new AbortController()
  const done = runUntil(options, controller.signal)
  return {
    done,
    stop: async () => {
      controller.abort()
      return done
    },
  }
}

export const runDemo = <S extends ScenarioName>(options: DemoOptions<S>): Promise<DemoSummary<S>> => startDemo(options).done

const FLUSH_AT_PENDING = 4_000
const YIELD_EVERY = 500
const PROGRESS_EVERY_MS = 10_000

/** The simulated instant the virtual clock shows at real instant `realMs`. */
const simulatedNow = (pace: Pace, realMs: number): number =>
  pace.speed === 'max' ? realMs : Math.min(realMs, pace.simStartMs + (realMs - pace.realStartMs) * pace.speed)

async function runUntil<S extends ScenarioName>(options: DemoOptions<S>, signal: AbortSignal): Promise<DemoSummary<S>> {
  const scenario: Scenario<ScenarioReports[S]> = SCENARIOS[options.scenario]
  const nowMs = options.nowMs ?? Date.now()
  // On the minute: a rerun with the same seed in the same minute sends the same records.
  const startMs = Math.floor((nowMs - options.historyMs) / 60_000) * 60_000
  const untilMs = options.durationMs === undefined ? Number.POSITIVE_INFINITY : nowMs + options.durationMs
  const faults = new FaultSchedule(options.faults.map((spec) => resolveFault(spec, { startMs, nowMs })))
  const random = new SeededRandom(options.seed)
  const queue = new EventQueue(startMs)
  const duplicates = random.fork('duplicate-deliveries')
  const duplicate = (): boolean => faults.active('duplicate_deliveries', queue.now()) && duplicates.chance(DUPLICATE_RATE)
  const skew = scenario.clockSkew
  const telemetry = new TelemetryHub(
    options.sink,
    { duplicate, skewMs: (system, simMs) => (system === skew.system && faults.active('clock_skew', simMs) ? skew.offsetMs : 0) },
    scenario.name,
    // Ids differ between runs that start at different minutes, and repeat for a rerun of the same one.
    random.fork(`ids:${Math.floor(startMs / 60_000)}`),
  )
  const events = new EventsPoster(options.sink, duplicate)
  const world: World = { scheduler: queue, random, faults, telemetry, events, startMs }
  const run = scenario.start(world, {
    ordersPerHour: options.ordersPerHour,
    ...(options.customerChangesPerHour === undefined ? {} : { customerChangesPerHour: options.customerChangesPerHour }),
  })
  const pace: Pace = { simStartMs: startMs, realStartMs: Date.now(), speed: options.speed }
  const log = options.logger?.child({ part: 'demo', scenario: scenario.name })
  log?.info(
    { from: new Date(startMs).toISOString(), speed: options.speed, seed: options.seed, target: options.sink.target, faults: faults.windows.map(describe) },
    'demo started: replaying the history, then running live',
  )
  let executed = 0
  let live = false
  let lastProgress = Date.now()
  const flush = async (): Promise<void> => {
    if (telemetry.pending > 0) await telemetry.flush()
    if (events.pending > 0) await events.flush()
  }
  while (!signal.aborted) {
    const next = queue.peekTime()
    if (next === undefined || next >= untilMs) break
    const wait = realInstantFor(pace, next) - Date.now()
    if (wait > 0) {
      if (!live && next >= Date.now() - 1_000) {
        live = true
        log?.info({ at: new Date(next).toISOString(), events: executed, ...scenario.progress(run.report()) }, 'history replayed: running in real time')
      }
      await flush()
      await sleep(Math.min(wait, 60_000), undefined, { signal }).catch(() => undefined)
      continue
    }
    queue.runNext()
    executed++
    if (telemetry.pending >= FLUSH_AT_PENDING) await telemetry.flush()
    if (executed % YIELD_EVERY === 0) await nextTurn()
    if (log !== undefined && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now()
      log.info({ simulated: new Date(queue.now()).toISOString(), ...scenario.progress(run.report()) }, 'demo progress')
    }
  }
  // Nothing more happens before the end: the clock still has to get there.
  const endsAt = Number.isFinite(untilMs) ? realInstantFor(pace, untilMs) - Date.now() : 0
  if (!signal.aborted && endsAt > 0) {
    await flush()
    await sleep(endsAt, undefined, { signal }).catch(() => undefined)
  }
  const toMs = Math.min(untilMs, Math.max(queue.now(), simulatedNow(pace, Date.now())))
  await flush()
  await telemetry.shutdown()
  const report = run.report()
  const summary: DemoSummary<S> = {
    scenario: options.scenario,
    seed: options.seed,
    fromMs: startMs,
    toMs,
    faults: faults.windows,
    telemetry: telemetry.stats(),
    events: events.stats(),
    report,
    reportLines: scenario.summary(report),
  }
  log?.info(
    {
      to: new Date(toMs).toISOString(),
      ...scenario.progress(report),
      spans: summary.telemetry.spans,
      logRecords: summary.telemetry.logRecords,
      exportFailures: summary.telemetry.exportFailures,
    },
    'demo stopped',
  )
  return summary
}

const describe = (w: FaultWindow): string =>
  `${w.name} ${new Date(w.fromMs).toISOString()} .. ${Number.isFinite(w.toMs) ? new Date(w.toMs).toISOString() : 'end'}`
