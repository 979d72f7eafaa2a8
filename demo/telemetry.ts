// The simulated systems' OpenTelemetry SDKs: one TracerProvider and one LoggerProvider per
// service, each with its own service.name resource and batch processors exporting to the
// sink. Nothing is registered globally, so the demo can run inside `serve`. Two faults live
// here because they happen below the application: a duplicated export (at-least-once
// delivery) and a skewed system clock.
import type { Context, Logger, Tracer } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs'
import { BatchSpanProcessor, TracerProvider, type IdGenerator, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace'
import { BusinessAttr } from '../sdk/index.ts'
import type { SeededRandom } from './random.ts'
import { CountingLogExporter, CountingSpanExporter, type DemoSink, type ExportCounts } from './sink.ts'

export interface ServiceSpec {
  /** service.name */
  readonly name: string
  /** The system of record the service fronts (business.system on its resource), if one. */
  readonly system?: string
}

/** One simulated service: its tracer and logger, and its own (possibly skewed) clock. */
export interface ServiceTelemetry {
  readonly name: string
  readonly system: string | undefined
  readonly tracer: Tracer
  readonly logger: Logger
  /** The time this service's clock shows at simulated instant `simMs`. */
  clock(simMs: number): Date
}

export interface TelemetryFaults {
  /** True when the record ending now should be delivered twice. */
  duplicate(): boolean
  /** Milliseconds the clock of `system` is off at simulated instant `simMs`. */
  skewMs(system: string | undefined, simMs: number): number
}

export interface TelemetryStats {
  readonly spans: number
  readonly logRecords: number
  /** Spans and log records handed to the exporter a second time. */
  readonly duplicates: number
  readonly exported: number
  readonly exportFailures: number
  readonly lastExportError: string | undefined
}

interface Recorded {
  ended: number
  flushed: number
  spans: number
  logRecords: number
  duplicates: number
}

/** Hands every span to the batch processor, some twice: the same trace and span id, as a retried export sends it. */
class DeliveringSpanProcessor implements SpanProcessor {
  readonly #inner: SpanProcessor
  readonly #faults: TelemetryFaults
  readonly #recorded: Recorded
  constructor(inner: SpanProcessor, faults: TelemetryFaults, recorded: Recorded) {
    this.#inner = inner
    this.#faults = faults
    this.#recorded = recorded
  }
  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext)
  }
  onEnd(span: ReadableSpan): void {
    this.#inner.onEnd(span)
    this.#recorded.spans++
    this.#recorded.ended++
    if (this.#faults.duplicate()) {
      this.#inner.onEnd(span)
      this.#recorded.duplicates++
      this.#recorded.ended++
    }
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush()
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown()
  }
}

class DeliveringLogProcessor implements LogRecordProcessor {
  readonly #inner: LogRecordProcessor
  readonly #faults: TelemetryFaults
  readonly #recorded: Recorded
  constructor(inner: LogRecordProcessor, faults: TelemetryFaults, recorded: Recorded) {
    this.#inner = inner
    this.#faults = faults
    this.#recorded = recorded
  }
  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    this.#inner.onEmit(logRecord, context)
    this.#recorded.logRecords++
    this.#recorded.ended++
    if (this.#faults.duplicate()) {
      this.#inner.onEmit(logRecord, context)
      this.#recorded.duplicates++
      this.#recorded.ended++
    }
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush()
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown()
  }
}

/** Trace and span ids from the run's random stream: the same seed and start give the same ids. */
class SeededIdGenerator implements IdGenerator {
  readonly #random: SeededRandom
  constructor(random: SeededRandom) {
    this.#random = random
  }
  #hex(bytes: number): string {
    let out = ''
    while (out.length < bytes * 2)
      out += Math.floor(this.#random.next() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0')
    out = out.slice(0, bytes * 2)
    // All zeros is an invalid id in W3C trace context.
    return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out
  }
  generateTraceId(): string {
    return this.#hex(16)
  }
  generateSpanId(): string {
    return this.#hex(8)
  }
}

// Large queues: at full speed a simulated day ends thousands of spans a second, and the runner
// flushes well before this bound (a full queue would drop spans).
const BATCH = { maxQueueSize: 100_000, maxExportBatchSize: 1_000, scheduledDelayMillis: 1_000, exportTimeoutMillis: 30_000 }

interface Providers {
  readonly traces: TracerProvider
  readonly logs: LoggerProvider
}

export class TelemetryHub {
  readonly #sink: DemoSink
  readonly #faults: TelemetryFaults
  readonly #scenario: string
  readonly #random: SeededRandom
  readonly #providers: Providers[] = []
  readonly #services = new Map<string, ServiceTelemetry>()
  readonly #recorded: Recorded = { ended: 0, flushed: 0, spans: 0, logRecords: 0, duplicates: 0 }
  readonly #counts: ExportCounts = { exported: 0, failed: 0, lastError: undefined }

  /** `random` makes the trace and span ids: fork it from the run's seed and start. */
  constructor(sink: DemoSink, faults: TelemetryFaults, scenario: string, random: SeededRandom) {
    this.#sink = sink
    this.#faults = faults
    this.#scenario = scenario
    this.#random = random
  }

  service(spec: ServiceSpec): ServiceTelemetry {
    const known = this.#services.get(spec.name)
    if (known !== undefined) return known
    const resource = resourceFromAttributes({
      'service.name': spec.name,
      'service.namespace': 'throughline-demo',
      'deployment.environment.name': 'demo',
      'throughline.demo.scenario': this.#scenario,
      ...(spec.system === undefined ? {} : { [BusinessAttr.system]: spec.system }),
    })
    const spanExporter = new CountingSpanExporter(this.#sink.spanExporter(), this.#counts)
    const logExporter = new CountingLogExporter(this.#sink.logExporter(), this.#counts)
    const traces = new TracerProvider({
      resource,
      idGenerator: new SeededIdGenerator(this.#random.fork(spec.name)),
      spanProcessors: [new DeliveringSpanProcessor(new BatchSpanProcessor({ exporter: spanExporter, ...BATCH }), this.#faults, this.#recorded)],
    })
    const logs = new LoggerProvider({
      resource,
      processors: [new DeliveringLogProcessor(new BatchLogRecordProcessor({ exporter: logExporter, ...BATCH }), this.#faults, this.#recorded)],
    })
    this.#providers.push({ traces, logs })
    const faults = this.#faults
    const service: ServiceTelemetry = {
      name: spec.name,
      system: spec.system,
      tracer: traces.getTracer('throughline-demo'),
      logger: logs.getLogger('throughline-demo'),
      clock: (simMs) => new Date(simMs + faults.skewMs(spec.system, simMs)),
    }
    this.#services.set(spec.name, service)
    return service
  }

  /** Spans and log records ended since the last completed flush. */
  get pending(): number {
    return this.#recorded.ended - this.#recorded.flushed
  }

  /** Exports everything ended so far. */
  async flush(): Promise<void> {
    const through = this.#recorded.ended
    await Promise.all(this.#providers.flatMap((p) => [p.traces.forceFlush(), p.logs.forceFlush()]))
    this.#recorded.flushed = Math.max(this.#recorded.flushed, through)
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.#providers.flatMap((p) => [p.traces.shutdown(), p.logs.shutdown()]))
  }

  stats(): TelemetryStats {
    return {
      spans: this.#recorded.spans,
      logRecords: this.#recorded.logRecords,
      duplicates: this.#recorded.duplicates,
      exported: this.#counts.exported,
      exportFailures: this.#counts.failed,
      lastExportError: this.#counts.lastError,
    }
  }
}
