// Errors with stable codes. Every code is listed in docs/errors.md with how to fix it; the
// API and collector render them as one JSON shape: { "code": ..., "message": ... }.

export const ErrorCode = {
  config: 'TL_CONFIG',
  badRequest: 'TL_BAD_REQUEST',
  unsupportedMediaType: 'TL_UNSUPPORTED_MEDIA_TYPE',
  payloadTooLarge: 'TL_PAYLOAD_TOO_LARGE',
  badEncoding: 'TL_BAD_CONTENT_ENCODING',
  malformedPayload: 'TL_MALFORMED_PAYLOAD',
  invalidEvent: 'TL_INVALID_EVENT',
  spoolFull: 'TL_SPOOL_FULL',
  spoolUnwritable: 'TL_SPOOL_UNWRITABLE',
  internal: 'TL_INTERNAL',
  shuttingDown: 'TL_SHUTTING_DOWN',
  readOnlyQuery: 'TL_READ_ONLY_QUERY',
  storeUnavailable: 'TL_STORE_UNAVAILABLE',
  migration: 'TL_MIGRATION',
  notFound: 'TL_NOT_FOUND',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

export class ThroughlineError extends Error {
  readonly code: ErrorCodeValue
  readonly statusCode: number
  constructor(code: ErrorCodeValue, message: string, statusCode = 500, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ThroughlineError'
    this.code = code
    this.statusCode = statusCode
  }
}

export class ConfigError extends ThroughlineError {
  constructor(message: string) {
    super(ErrorCode.config, message, 400)
    this.name = 'ConfigError'
  }
}

export interface ErrorBody {
  readonly code: string
  readonly message: string
}

export const errorBody = (code: ErrorCodeValue, message: string): ErrorBody => ({ code, message })
