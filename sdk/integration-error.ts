// How a failed integration call is written on its span: the exception event, `error.type`
// and status Error. `error.type` feeds the error classes of the integration KPIs
// (client/mapping vs timeout vs server), so timeouts get the one value the deriver knows.

import { SpanStatusCode, type Exception, type Span } from '@opentelemetry/api'
import { OtelAttr } from '../core/semconv.ts'
import { checkText } from './field-checks.ts'

/** `error.type` values with a meaning in the error classes (see docs/semantic-conventions.md). */
export const ErrorType = {
  /** The call or the wait for its answer ran out of time. */
  timeout: 'timeout',
  /** Data could not be mapped between the systems' models (a client/mapping error). */
  mapping: 'mapping',
  /** The payload broke a rule of the receiving system (a client/mapping error). */
  validation: 'validation',
} as const

/** Throw this to choose the span's `error.type` yourself, e.g. `mapping` or `"502"`. */
export class IntegrationError extends Error {
  readonly errorType: string
  constructor(errorType: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'IntegrationError'
    this.errorType = checkText('errorType', errorType)
  }
}

// Node's and undici's codes for a connect, read or response timeout; AbortSignal.timeout()
// rejects with a DOMException named TimeoutError.
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined

const isTimeout = (error: unknown): boolean => {
  if (error instanceof Error && error.name === 'TimeoutError') return true
  const code = codeOf(error)
  return code !== undefined && TIMEOUT_CODES.has(code)
}

/**
 * The `error.type` for a thrown value: the IntegrationError's own type, `timeout` for
 * timeouts (also when wrapped one level, as fetch does), else the error's code
 * (`ECONNREFUSED`) or class name (`TypeError`), else `_OTHER` as OpenTelemetry says.
 */
export const errorTypeOf = (error: unknown): string => {
  if (error instanceof IntegrationError) return error.errorType
  if (isTimeout(error) || (error instanceof Error && isTimeout(error.cause))) return ErrorType.timeout
  const code = codeOf(error)
  if (code !== undefined && code !== '') return code
  if (error instanceof Error && error.name !== '') return error.name
  return '_OTHER'
}

const asException = (error: unknown): Exception => (error instanceof Error ? error : String(error))

/** Marks `span` failed by `error`: exception event, `error.type`, status Error with the message. */
export const recordIntegrationFailure = (span: Span, error: unknown): void => {
  span.recordException(asException(error))
  span.setAttribute(OtelAttr.errorType, errorTypeOf(error))
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
}
