// Injected faults: which exist, how a flag names one (`erp_down`, `erp_down@1h+30m`,
// `late_batch@-6h`, `slow_sync@2026-11-29T08:00:00Z+2h`), and the schedule the simulated
// systems ask "is this fault on at simulated instant t?". What each fault does, and which
// KPI shows it, is in docs/demo.md.
import { parseDuration } from '../core/durations.ts'
import { ConfigError } from '../core/errors.ts'

export const FAULT_NAMES = [
  'erp_down',
  'slow_sync',
  'mapping_errors',
  'consumer_stopped',
  'duplicate_deliveries',
  'late_batch',
  'clock_skew',
  'bureau_down',
  'pos_down',
  'supplier_down',
] as const
export type FaultName = (typeof FAULT_NAMES)[number]

export const FAULT_DESCRIPTIONS: Readonly<Record<FaultName, string>> = {
  erp_down: 'lead-to-cash: the ERP answers 503 or times out: order creation fails and is retried (attempts 1..n), customer syncs fail',
  slow_sync:
    'customer master-data applies (ERP; bank-credit: core; retail-o2o: store stock to the inventory; manufacturing: WMS stock postings to the ERP) slow down: a backlog builds and sync lag grows',
  mapping_errors:
    'customer master-data syncs are refused with 400 mapping errors; contacts (bank-credit: addresses) still sync; retail-o2o: loyalty points refused, member profiles sync; manufacturing: component stock postings refused, finished goods still post',
  consumer_stopped:
    'a queue consumer stops (the WMS delivery consumer; bank-credit: the core booking consumer; retail-o2o: the OMS routing consumer; manufacturing: the MES production order consumer): instances wait, the queue backs up',
  duplicate_deliveries: 'telemetry and posted events are delivered twice, queue messages are redelivered',
  late_batch:
    'the legacy batch (WMS nightly export; bank-credit: core disbursement upload; retail-o2o: the end-of-day pick-up batch of the stores; manufacturing: the MES shift report of yield and scrap) arrives hours late',
  clock_skew: "a system's clock runs minutes behind (the WMS; bank-credit: the anti-fraud engine; retail-o2o: the store POS; manufacturing: the MES)",
  bureau_down: 'bank-credit: the credit bureau answers 503 or times out: the BPM engine retries, then parks incidents',
  pos_down: 'retail-o2o: store POS systems answer 503 or time out: the OMS retries handing orders to stores, orders wait after routing',
  supplier_down: 'manufacturing: the supplier portal answers 503 or times out: the ERP retries its availability checks, production orders wait before release',
}

/** When a fault starts: an offset from the simulation start, an offset before the command's start (now), or an instant. */
export type FaultStart =
  | { readonly kind: 'after_start'; readonly ms: number }
  | { readonly kind: 'before_now'; readonly ms: number }
  | { readonly kind: 'at'; readonly epochMs: number }

export interface FaultSpec {
  readonly name: FaultName
  /** Unset: from the simulation start. */
  readonly start?: FaultStart
  /** Unset: until the simulation ends. */
  readonly durationMs?: number
}

/** A fault resolved onto the simulated timeline: on in [fromMs, toMs). */
export interface FaultWindow {
  readonly name: FaultName
  readonly fromMs: number
  readonly toMs: number
}

const isFaultName = (text: string): text is FaultName => FAULT_NAMES.some((name) => name === text)

const FORM = 'name[@start[+duration]], e.g. erp_down, erp_down@1h+30m, late_batch@-6h or slow_sync@2026-11-29T08:00:00Z+2h'

function durationOf(flag: string, what: string, text: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok) throw new ConfigError(`--fault ${flag}: ${what} ${parsed.message}`)
  return parsed.ms
}

function startOf(flag: string, text: string): FaultStart {
  if (text.startsWith('-')) return { kind: 'before_now', ms: durationOf(flag, 'the start', text.slice(1)) }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const epochMs = Date.parse(text)
    if (Number.isNaN(epochMs)) throw new ConfigError(`--fault ${flag}: the start '${text}' is not an RFC 3339 time`)
    return { kind: 'at', epochMs }
  }
  return { kind: 'after_start', ms: durationOf(flag, 'the start', text) }
}

/** Parses one `--fault` value; throws a ConfigError naming the flag and the expected form. */
export function parseFaultSpec(flag: string): FaultSpec {
  const at = flag.indexOf('@')
  const name = (at === -1 ? flag : flag.slice(0, at)).trim()
  if (!isFaultName(name)) throw new ConfigError(`--fault ${flag}: unknown fault '${name}'; expected one of ${FAULT_NAMES.join(', ')} (${FORM})`)
  if (at === -1) return { name }
  const schedule = flag.slice(at + 1).trim()
  if (schedule === '') throw new ConfigError(`--fault ${flag}: nothing after '@'; expected ${FORM}`)
  // The last '+' splits off the duration when what follows it is one: an RFC 3339 start may
  // carry its own '+08:00'.
  const plus = schedule.lastIndexOf('+')
  if (plus > 0 && parseDuration(schedule.slice(plus + 1)).ok) {
    return { name, start: startOf(flag, schedule.slice(0, plus)), durationMs: durationOf(flag, 'the duration', schedule.slice(plus + 1)) }
  }
  return { name, start: startOf(flag, schedule) }
}

export interface FaultTimeline {
  /** First simulated instant. */
  readonly startMs: number
  /** The command's start (real time): what `-6h` counts back from. */
  readonly nowMs: number
}

export function resolveFault(spec: FaultSpec, timeline: FaultTimeline): FaultWindow {
  const start = spec.start
  const fromMs =
    start === undefined
      ? timeline.startMs
      : start.kind === 'after_start'
        ? timeline.startMs + start.ms
        : start.kind === 'before_now'
          ? timeline.nowMs - start.ms
          : start.epochMs
  return { name: spec.name, fromMs, toMs: spec.durationMs === undefined ? Number.POSITIVE_INFINITY : fromMs + spec.durationMs }
}

/** The faults of one run on the simulated timeline; systems ask it at their own instants. */
export class FaultSchedule {
  readonly windows: readonly FaultWindow[]

  constructor(windows: readonly FaultWindow[]) {
    this.windows = [...windows].sort((a, b) => a.fromMs - b.fromMs)
  }

  active(name: FaultName, atMs: number): boolean {
    return this.windows.some((w) => w.name === name && w.fromMs <= atMs && atMs < w.toMs)
  }

  /**
   * When `name`, on at `atMs`, is next off: the end of the window covering `atMs`, following
   * windows that overlap or touch it. Infinity when it never ends; `atMs` when it is off.
   */
  activeUntil(name: FaultName, atMs: number): number {
    let until = atMs
    for (const w of this.windows) {
      if (w.name === name && w.fromMs <= until && until < w.toMs) until = w.toMs
    }
    return until
  }
}
