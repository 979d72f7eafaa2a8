// Spans for integration code: one call stamps the process, milestone, business keys (the
// given ones and those arriving in baggage), integration and operation attributes of
// docs/semantic-conventions.md; withIntegrationSpan also records failures and ends the span.

import { context, SpanKind, type Attributes, type Context, type Link, type Span, type SpanOptions, type TimeInput, type Tracer } from '@opentelemetry/api'
import { BusinessAttr } from '../core/semconv.ts'
import { businessKeyAttributes, businessKeys, MAX_KEYS, type BusinessKeys, type BusinessKeysInput } from './business-keys.ts'
import { businessKeysFromBaggage } from './baggage-keys.ts'
import { checkBusinessStatus, type BusinessStatus } from './business-status.ts'
import { checkText } from './field-checks.ts'
import { recordIntegrationFailure } from './integration-error.ts'
import { businessFieldAttributes, extraAttributes, integrationFieldAttributes, type BusinessFields, type IntegrationFields } from './record-attributes.ts'

export interface IntegrationSpanOptions extends BusinessFields, IntegrationFields {
  /** Keys this step knows; keys in the parent context's baggage are added, these win on a clash. */
  readonly keys?: BusinessKeysInput
  /** Only when the step's outcome is not plain success/failure (`cancelled`, `paused`...). */
  readonly status?: BusinessStatus
  /** Default INTERNAL; use CLIENT/SERVER/PRODUCER/CONSUMER for the hop's role. */
  readonly kind?: SpanKind
  /** Extra attributes (`customer_tier`, standard `http.*`...); our own prefixes are refused. */
  readonly attributes?: Attributes
  /** Links, e.g. from a batch consumer to each message's producer span. */
  readonly links?: readonly Link[]
  /** Parent context (default: the active one), e.g. the result of propagation.extract(). */
  readonly context?: Context
  readonly startTime?: TimeInput
}

const spanKeys = (own: BusinessKeysInput | undefined, parent: Context): BusinessKeys => {
  const merged: Record<string, string> = { ...businessKeys(own ?? {}) }
  // Baggage comes from upstream: it fills in, never overrides the step's own keys, and never
  // pushes the span over the key limit (a bad upstream must not make this span throw).
  for (const [keyType, value] of Object.entries(businessKeysFromBaggage(parent))) {
    if (!(keyType in merged) && Object.keys(merged).length < MAX_KEYS) merged[keyType] = value
  }
  return businessKeys(merged)
}

/** All attributes a span with these options starts with; throws a TypeError naming a bad field. */
export const integrationSpanAttributes = (options: IntegrationSpanOptions, parent: Context): Attributes => {
  const keys = spanKeys(options.keys, parent)
  const attributes: Attributes = {
    ...extraAttributes('attributes', options.attributes),
    ...businessKeyAttributes(keys),
    ...businessFieldAttributes(options),
    ...integrationFieldAttributes(options),
  }
  if (options.status !== undefined) attributes[BusinessAttr.status] = checkBusinessStatus('status', options.status)
  return attributes
}

/**
 * Adds keys learnt during the step (the ERP's new sales order number in its response) to a
 * span already started; they join the instance just as keys given at the start do.
 */
export const addBusinessKeys = (span: Span, keys: BusinessKeysInput): void => {
  span.setAttributes(businessKeyAttributes(businessKeys(keys)))
}

const spanOptionsOf = (options: IntegrationSpanOptions, parent: Context): SpanOptions => {
  const spanOptions: SpanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: integrationSpanAttributes(options, parent),
  }
  if (options.links !== undefined) spanOptions.links = [...options.links]
  if (options.startTime !== undefined) spanOptions.startTime = options.startTime
  return spanOptions
}

/** Starts (and returns) a span the caller must end. It is not made active. */
export function startIntegrationSpan(tracer: Tracer, name: string, options?: IntegrationSpanOptions): Span
/** Starts a span, makes it active for `fn` and returns what `fn` returns; `fn` must end the span. */
export function startIntegrationSpan<T>(tracer: Tracer, name: string, options: IntegrationSpanOptions, fn: (span: Span) => T): T
export function startIntegrationSpan<T>(tracer: Tracer, name: string, options: IntegrationSpanOptions = {}, fn?: (span: Span) => T): Span | T {
  checkText('name', name)
  const parent = options.context ?? context.active()
  const spanOptions = spanOptionsOf(options, parent)
  if (fn === undefined) return tracer.startSpan(name, spanOptions, parent)
  return tracer.startActiveSpan(name, spanOptions, parent, fn)
}

/**
 * Runs `fn` in a new active span and ends it. A throw or rejection is recorded (exception
 * event, `error.type`, status Error) and rethrown unchanged, so callers' retries still work.
 * Async throughout: even a bad option arrives as a rejection, never as a synchronous throw.
 */
export const withIntegrationSpan = async <T>(tracer: Tracer, name: string, options: IntegrationSpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> =>
  startIntegrationSpan(tracer, name, options, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      recordIntegrationFailure(span, error)
      throw error
    } finally {
      span.end()
    }
  })
