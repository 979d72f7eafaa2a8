// A request the collector refuses as a whole, with its HTTP status, our error code and,
// for retryable refusals (429/503), how long the client should wait.
import { ThroughlineError, type ErrorCodeValue } from '../../core/errors.ts'

export class RequestRefusal extends ThroughlineError {
  readonly retryAfterSeconds: number | undefined

  constructor(statusCode: number, code: ErrorCodeValue, message: string, retryAfterSeconds?: number) {
    super(code, message, statusCode)
    this.name = 'RequestRefusal'
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** gRPC status codes that OTLP/HTTP's google.rpc.Status body carries. */
export function grpcCodeFor(httpStatus: number): number {
  if (httpStatus === 429) return 8 // RESOURCE_EXHAUSTED
  if (httpStatus === 503) return 14 // UNAVAILABLE
  if (httpStatus === 413) return 8
  if (httpStatus === 415 || httpStatus === 400) return 3 // INVALID_ARGUMENT
  if (httpStatus === 404 || httpStatus === 405) return 12 // UNIMPLEMENTED
  return 13 // INTERNAL
}
