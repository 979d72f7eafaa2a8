// Where the simulated systems' telemetry goes: a collector over OTLP/HTTP (protobuf) for
// spans and log records and POST /v1/events for the legacy systems, or anything else with
// the same three doors (the tests' in-memory exporters).
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace'

/** One business event as `POST /v1/events` takes it (docs/events-api.md). */
export interface PostedEvent {
  readonly process: string
  readonly milestone: string
  readonly system: string
  readonly keys: Readonly<Record<string, string>>
  /** RFC 3339. */
  readonly time: string
  readonly event_id?: string
  readonly object?: string
  readonly message?: string
  readonly value?: number
  readonly currency?: string
  readonly integration?: string
  readonly source_system?: string
  readonly target_system?: string
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
}

export interface PostOutcome {
  readonly accepted: number
  readonly rejected: number
}

export interface DemoSink {
  /** Where it sends, for log lines. */
  readonly target: string
  spanExporter(): SpanExporter
  logExporter(): LogRecordExporter
  postEvents(events: readonly PostedEvent[]): Promise<PostOutcome>
}

/** A collector at `baseUrl` (http://localhost:4318): /v1/traces, /v1/logs, /v1/events. */
export function collectorSink(baseUrl: string): DemoSink {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    target: base,
    spanExporter: () => new OTLPTraceExporter({ url: `${base}/v1/traces` }),
    logExporter: () => new OTLPLogExporter({ url: `${base}/v1/logs` }),
    async postEvents(events) {
      const response = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`POST ${base}/v1/events answered ${response.status}: ${text.slice(0, 300)}`)
      const answer = JSON.parse(text) as { accepted?: number; rejected?: unknown[] }
      return { accepted: answer.accepted ?? 0, rejected: answer.rejected?.length ?? 0 }
    },
  }
}

export interface ExportCounts {
  exported: number
  failed: number
  lastError: string | undefined
}

const count = (counts: ExportCounts, items: number, result: ExportResult): void => {
  if (result.code === ExportResultCode.SUCCESS) counts.exported += items
  else {
    counts.failed += items
    counts.lastError = result.error?.message ?? 'export failed'
  }
}

/** Passes spans on and counts what the exporter delivered and what it gave up on. */
export class CountingSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter
  readonly #counts: ExportCounts
  constructor(inner: SpanExporter, counts: ExportCounts) {
    this.#inner = inner
    this.#counts = counts
  }
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      count(this.#counts, spans.length, result)
      resultCallback(result)
    })
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown()
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve()
  }
}

export class CountingLogExporter implements LogRecordExporter {
  readonly #inner: LogRecordExporter
  readonly #counts: ExportCounts
  constructor(inner: LogRecordExporter, counts: ExportCounts) {
    this.#inner = inner
    this.#counts = counts
  }
  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(records, (result) => {
      count(this.#counts, records.length, result)
      resultCallback(result)
    })
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown()
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush()
  }
}
