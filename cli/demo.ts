// `throughline demo`: simulated enterprise systems (docs/demo.md) sending real telemetry to
// a collector: the history window replayed fast, then live. Also what `serve --demo` calls to
// feed its own collector in-process. Bad flags exit 2 with the flag named.
import { type Command, InvalidArgumentError, Option } from 'commander'
import { parseDuration } from '../core/durations.ts'
import { ConfigError, ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { Config } from '../core/config.ts'
import { createLogger, type Logger } from '../core/logger.ts'
import {
  collectorSink,
  FAULT_DESCRIPTIONS,
  FAULT_NAMES,
  parseFaultSpec,
  parseSpeed,
  SCENARIO_NAMES,
  startDemo,
  type DemoOptions,
  type DemoSummary,
  type RunningDemo,
  type ScenarioName,
} from '../demo/index.ts'

export interface DemoFlags {
  readonly scenario?: string
  readonly otlpUrl?: string
  readonly speed?: string
  readonly ordersPerHour?: string
  readonly fault?: readonly string[]
  readonly history?: string
  readonly duration?: string
  readonly seed?: string
  readonly logLevel?: string
}

export const DEMO_DEFAULTS = {
  scenario: 'lead-to-cash',
  otlpUrl: 'http://localhost:4318',
  speed: 'max',
  ordersPerHour: '60',
  history: '2d',
  seed: '1',
} as const

/** The collector keeps 30 days by default and refuses older records; stay a day inside. */
const MAX_HISTORY_MS = 29 * 86_400_000

function durationFlag(flag: string, text: string, zeroAllowed: boolean): number {
  if (zeroAllowed && text.trim() === '0') return 0
  const parsed = parseDuration(text)
  if (!parsed.ok) throw new ConfigError(`${flag}: ${parsed.message}`)
  return parsed.ms
}

const isScenario = (text: string): text is ScenarioName => SCENARIO_NAMES.some((name) => name === text)

/** Flags -> run options (everything but where to send). Throws a ConfigError naming the flag. */
export function demoOptionsFromFlags(flags: DemoFlags): Omit<DemoOptions, 'sink' | 'logger'> {
  const scenario = flags.scenario ?? DEMO_DEFAULTS.scenario
  if (!isScenario(scenario)) throw new ConfigError(`--scenario: unknown scenario '${scenario}'; expected one of ${SCENARIO_NAMES.join(', ')}`)
  const speed = parseSpeed(flags.speed ?? DEMO_DEFAULTS.speed)
  if (speed === undefined) throw new ConfigError(`--speed: expected a positive factor (60 runs an hour a minute) or 'max', got ${flags.speed ?? ''}`)
  const rateText = flags.ordersPerHour ?? DEMO_DEFAULTS.ordersPerHour
  const ordersPerHour = Number(rateText)
  if (!/^\d+(\.\d+)?$/.test(rateText) || !(ordersPerHour > 0) || ordersPerHour > 100_000) {
    throw new ConfigError(`--orders-per-hour: expected a number above 0 and at most 100000, got ${rateText}`)
  }
  const historyMs = durationFlag('--history', flags.history ?? DEMO_DEFAULTS.history, true)
  if (historyMs > MAX_HISTORY_MS) throw new ConfigError(`--history: at most 29d, the collector refuses records older than its retention (30 days by default)`)
  const seedText = flags.seed ?? DEMO_DEFAULTS.seed
  const seed = Number(seedText)
  if (!/^\d+$/.test(seedText) || seed > 0xffff_ffff) throw new ConfigError(`--seed: expected a whole number from 0 to 4294967295, got ${seedText}`)
  return {
    scenario,
    speed,
    ordersPerHour,
    historyMs,
    ...(flags.duration === undefined ? {} : { durationMs: durationFlag('--duration', flags.duration, true) }),
    seed,
    faults: (flags.fault ?? []).map(parseFaultSpec),
  }
}

/** `serve --demo <scenario>`: the scenario, with the defaults, feeding the service's own collector. */
export function startDemoInProcess(otlpUrl: string, scenario: string, logger: Logger, flags: DemoFlags = {}): RunningDemo {
  return startDemo({ ...demoOptionsFromFlags({ ...flags, scenario }), sink: collectorSink(otlpUrl), logger })
}

async function checkReachable(url: string): Promise<void> {
  try {
    await fetch(`${url.replace(/\/+$/, '')}/healthz`, { signal: AbortSignal.timeout(5_000) })
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
    throw new ThroughlineError(
      ErrorCode.storeUnavailable,
      `cannot reach the collector at ${url} (${reason}): start \`throughline serve\` first, or pass --otlp-url`,
    )
  }
}

export function summaryText(summary: DemoSummary<ScenarioName>): string {
  const faults = summary.faults.map((f) => `${f.name} ${new Date(f.fromMs).toISOString()}..${Number.isFinite(f.toMs) ? new Date(f.toMs).toISOString() : 'end'}`)
  return [
    `demo ${summary.scenario} (seed ${summary.seed}): ${new Date(summary.fromMs).toISOString()} .. ${new Date(summary.toMs).toISOString()}`,
    ...summary.reportLines,
    `  sent: ${summary.telemetry.spans} spans, ${summary.telemetry.logRecords} log records (${summary.telemetry.duplicates} twice), ${summary.events.events} posted events; export failures ${summary.telemetry.exportFailures + summary.events.failures}`,
    `  faults: ${faults.length === 0 ? 'none' : faults.join('; ')}`,
  ].join('\n')
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies ReadonlyArray<Config['logLevel']>
const logLevelOf = (text: string | undefined): Config['logLevel'] => LOG_LEVELS.find((level) => level === text) ?? 'info'

export async function demoCommand(flags: DemoFlags): Promise<void> {
  const options = demoOptionsFromFlags(flags)
  const otlpUrl = flags.otlpUrl ?? DEMO_DEFAULTS.otlpUrl
  await checkReachable(otlpUrl)
  const demo = startDemo({ ...options, sink: collectorSink(otlpUrl), logger: createLogger({ logLevel: logLevelOf(flags.logLevel) }) })
  // First signal: stop and flush what the systems sent, then re-raise it (a truthful exit
  // status); a second one ends the process at once.
  let signalled: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) {
      process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal)
      process.kill(process.pid, signal)
      return
    }
    signalled = signal
    void demo.stop()
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  const summary = await demo.done
  process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal)
  console.log(summaryText(summary))
  if (signalled !== undefined) {
    process.kill(process.pid, signalled)
    return
  }
  const failures = summary.telemetry.exportFailures + summary.events.failures
  if (failures > 0) {
    throw new ThroughlineError(
      ErrorCode.storeUnavailable,
      `${failures} records or batches were not accepted by ${otlpUrl}: ${summary.telemetry.lastExportError ?? summary.events.lastError ?? ''}`,
    )
  }
}

const asFlag =
  <T>(parse: (text: string) => T) =>
  (text: string): T => {
    try {
      return parse(text)
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error))
    }
  }

const collectFault = (text: string, previous: readonly string[] | undefined): string[] => {
  asFlag(parseFaultSpec)(text)
  return [...(previous ?? []), text]
}

export function registerDemoCommand(program: Command): Command {
  const faultHelp = FAULT_NAMES.map((name) => `${name}: ${FAULT_DESCRIPTIONS[name]}`).join('; ')
  return program
    .command('demo')
    .description('simulated enterprise systems (CRM, ERP, WMS, finance, bank) sending real telemetry to a collector, with injected faults')
    .addOption(new Option('--scenario <name>', 'the scenario').choices(SCENARIO_NAMES).default(DEMO_DEFAULTS.scenario))
    .option('--otlp-url <url>', 'the collector: OTLP/HTTP and POST /v1/events', DEMO_DEFAULTS.otlpUrl)
    .option('--speed <factor>', "how fast the history is replayed: a factor (60: an hour a minute) or 'max'; then real time", DEMO_DEFAULTS.speed)
    .option('--history <duration>', 'simulated time before now to start from, at most 29d (0: start live)', DEMO_DEFAULTS.history)
    .option(
      '--duration <duration>',
      'stop when the simulated clock is this far past the start of the command (0: once the history is replayed); default: run until stopped',
    )
    .option('--orders-per-hour <n>', 'won opportunities per simulated hour', DEMO_DEFAULTS.ordersPerHour)
    .option(
      '--fault <name[@start+duration]>',
      `inject a fault, repeatable; start: offset from the simulation start, -offset before now, or an RFC 3339 time. ${faultHelp}`,
      collectFault,
    )
    .option('--seed <n>', 'random seed: the same seed replays the same orders, delays and failures', DEMO_DEFAULTS.seed)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS))
    .action(async (flags: DemoFlags) => demoCommand(flags))
}
