// How a simulated system records one step of integration code: a span opened with the SDK's
// startIntegrationSpan at the step's simulated start (on the service's own clock), ended at
// its simulated end, with failures written as recordIntegrationFailure writes them but at
// the step's time. Hops carry trace context and baggage (business keys) in W3C headers,
// through a propagator of our own rather than the global one.
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { addBusinessKeys, errorTypeOf, OtelAttr, startIntegrationSpan, type BusinessKeysInput, type IntegrationSpanOptions } from '../sdk/index.ts'
import type { ServiceTelemetry } from './telemetry.ts'

/** HTTP headers or message properties. */
export type Carrier = Record<string, string>

const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })
const setter: TextMapSetter<Carrier> = { set: (carrier, key, value) => void (carrier[key] = value) }
const getter: TextMapGetter<Carrier> = { keys: (carrier) => Object.keys(carrier), get: (carrier, key) => carrier[key] }

/** What a sender writes into the request or message: traceparent and baggage. */
export const inject = (ctx: Context): Carrier => {
  const carrier: Carrier = {}
  propagator.inject(ctx, carrier, setter)
  return carrier
}

/** What a receiver reads back out of it. */
export const extract = (carrier: Carrier): Context => propagator.extract(ROOT_CONTEXT, carrier, getter)

/** A step in progress: its span and the context its children (and outgoing calls) run in. */
export interface OpenStep {
  readonly span: Span
  readonly context: Context
  readonly service: ServiceTelemetry
}

/** Opens a step at simulated instant `startMs`; the parent is `options.context` (default: none). */
export function openStep(service: ServiceTelemetry, name: string, options: IntegrationSpanOptions, startMs: number): OpenStep {
  const parent = options.context ?? ROOT_CONTEXT
  const span = startIntegrationSpan(service.tracer, name, { ...options, context: parent, startTime: service.clock(startMs) })
  return { span, context: trace.setSpan(parent, span), service }
}

export interface StepEnd {
  /** Keys learnt during the step (the number the called system answered with). */
  readonly keys?: BusinessKeysInput
  readonly attributes?: Attributes
  /** The step failed with this error (an IntegrationError names its error.type). */
  readonly error?: Error
}

/** Ends the step at simulated instant `endMs`, recording what it learnt or how it failed. */
export function closeStep(step: OpenStep, endMs: number, end: StepEnd = {}): void {
  const at = step.service.clock(endMs)
  if (end.attributes !== undefined) step.span.setAttributes(end.attributes)
  if (end.keys !== undefined) addBusinessKeys(step.span, end.keys)
  if (end.error !== undefined) {
    // recordIntegrationFailure's attributes, with the exception stamped at the step's time.
    step.span.recordException(end.error, at)
    step.span.setAttribute(OtelAttr.errorType, errorTypeOf(end.error))
    step.span.setStatus({ code: SpanStatusCode.ERROR, message: end.error.message })
  }
  step.span.end(at)
}

/** A step opened and closed at once. */
export function recordStep(
  service: ServiceTelemetry,
  name: string,
  options: IntegrationSpanOptions,
  startMs: number,
  endMs: number,
  end: StepEnd = {},
): OpenStep {
  const step = openStep(service, name, options, startMs)
  closeStep(step, endMs, end)
  return step
}
