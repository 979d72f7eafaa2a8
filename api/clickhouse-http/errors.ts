// ClickHouse-shaped failures for the HTTP interface: `Code: N. DB::Exception: ... (NAME)`, the
// X-ClickHouse-Exception-Code header and the HTTP status ClickHouse's own server gives the code
// (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), so clients parse our errors as theirs.

/** An error answered in ClickHouse's words; `code`/`type` are ClickHouse's (ErrorCodes.cpp). */
export class ClickHouseHttpError extends Error {
  readonly code: number
  readonly type: string

  constructor(code: number, type: string, message: string) {
    super(message)
    this.name = 'ClickHouseHttpError'
    this.code = code
    this.type = type
  }
}

export const REQUIRED_PASSWORD = { code: 194, type: 'REQUIRED_PASSWORD' } as const
export const AUTHENTICATION_FAILED = { code: 516, type: 'AUTHENTICATION_FAILED' } as const
export const ACCESS_DENIED = { code: 497, type: 'ACCESS_DENIED' } as const
export const READONLY = { code: 164, type: 'READONLY' } as const
export const SYNTAX_ERROR = { code: 62, type: 'SYNTAX_ERROR' } as const
export const BAD_ARGUMENTS = { code: 36, type: 'BAD_ARGUMENTS' } as const
export const TOO_MANY_SIMULTANEOUS_QUERIES = { code: 202, type: 'TOO_MANY_SIMULTANEOUS_QUERIES' } as const
export const TIMEOUT_EXCEEDED = { code: 159, type: 'TIMEOUT_EXCEEDED' } as const
export const UNKNOWN_DATABASE = { code: 81, type: 'UNKNOWN_DATABASE' } as const
export const NOT_IMPLEMENTED = { code: 48, type: 'NOT_IMPLEMENTED' } as const

export function clickHouseError(kind: { readonly code: number; readonly type: string }, message: string): ClickHouseHttpError {
  return new ClickHouseHttpError(kind.code, kind.type, message)
}

// The server's groups; any other code is a 500, as there.
const BAD_REQUEST = new Set([6, 25, 26, 27, 32, 36, 38, 41, 42, 43, 44, 53, 62, 72, 117, 167, 168, 169, 376, 441, 456, 457, 675, 676])
const NOT_FOUND = new Set([16, 46, 47, 50, 60, 63, 73, 81, 115, 123, 133, 511])

export function httpStatusOf(code: number): number {
  if (code === REQUIRED_PASSWORD.code) return 401
  if (code === AUTHENTICATION_FAILED.code || code === ACCESS_DENIED.code || code === 192 || code === 193) return 403
  if (BAD_REQUEST.has(code)) return 400
  if (NOT_FOUND.has(code)) return 404
  if (code === TIMEOUT_EXCEEDED.code) return 408
  if (code === NOT_IMPLEMENTED.code) return 501
  return 500
}

function field(error: unknown, name: 'code' | 'type' | 'message'): string | undefined {
  if (typeof error !== 'object' || error === null || !(name in error)) return undefined
  const value: unknown = Reflect.get(error, name)
  return typeof value === 'string' ? value : undefined
}

/**
 * Any failure as a ClickHouseHttpError: the engine's own (the client parsed `Code: N ...
 * (TYPE)` into code, type and message) keeps its code; anything else is a 1001 STD_EXCEPTION.
 */
export function asClickHouseError(error: unknown): ClickHouseHttpError {
  if (error instanceof ClickHouseHttpError) return error
  const code = field(error, 'code')
  const type = field(error, 'type')
  const message = field(error, 'message') ?? String(error)
  if (code !== undefined && /^\d+$/.test(code) && type !== undefined) {
    // chDB repeats `Code: N. DB::Exception:` inside some messages; say it once.
    const inner = /^Code: \d+\. DB::Exception: (.*?)(?: \([A-Z0-9_]+\))?(?: \(version [^)]*\))?\.?$/s.exec(message.trim())
    return new ClickHouseHttpError(Number(code), type, (inner?.[1] ?? message).trim().replace(/\.$/, ''))
  }
  return new ClickHouseHttpError(1001, 'STD_EXCEPTION', message)
}

/** The body ClickHouse answers an error with (clickhouse-js and clickhouse-go parse it). */
export function exceptionText(error: ClickHouseHttpError, version: string): string {
  return `Code: ${error.code}. DB::Exception: ${error.message}. (${error.type}) (version ${version})\n`
}
