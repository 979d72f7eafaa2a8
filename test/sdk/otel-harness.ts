// Real OpenTelemetry SDK pieces, exporting to memory, for the sdk/ tests: one tracer
// provider per simulated service (each with its own service.name), a logger provider,
// and the W3C trace-context + baggage propagators that carry context between services.

import { context, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'

/** Async-aware context (what NodeSDK installs), so the active span survives an await. */
export const installContextManager = (): void => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
}

export const makeService = (serviceName: string) => {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  })
  return {
    tracer: provider.getTracer('throughline-sdk-test'),
    exporter,
    /** Finished spans in end order. */
    spans: () => exporter.getFinishedSpans(),
    shutdown: () => provider.shutdown(),
  }
}

export const makeLogs = () => {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'erp-adapter' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  })
  return {
    logger: provider.getLogger('throughline-sdk-test'),
    records: () => exporter.getFinishedLogRecords(),
    shutdown: () => provider.shutdown(),
  }
}

/** HTTP headers or message properties: the carrier a hop's propagator writes and reads. */
export type Carrier = Record<string, string>

const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
})
const setter: TextMapSetter<Carrier> = { set: (carrier, key, value) => void (carrier[key] = value) }
const getter: TextMapGetter<Carrier> = { keys: (carrier) => Object.keys(carrier), get: (carrier, key) => carrier[key] }

/** What the calling service does before sending: write the active context into headers. */
export const inject = (ctx: Context = context.active()): Carrier => {
  const carrier: Carrier = {}
  propagator.inject(ctx, carrier, setter)
  return carrier
}

/** What the receiving service does: read the context back out of the headers. */
export const extract = (carrier: Carrier): Context => propagator.extract(context.active(), carrier, getter)
