// The one error an event-log reader throws. It names where the input went wrong (file, line,
// element or column) so an operator can open the file at that spot, and carries a stable code
// from core/errors.ts so the CLI and the API render it like every other error.
import { ErrorCode, ThroughlineError, type ErrorCodeValue } from '../../core/errors.ts'

/** Where in an event log a problem sits; every part is optional because formats differ. */
export interface LogLocation {
  readonly file: string
  readonly line?: number
  /** An XML element (`<date key="time:timestamp">`), a JSON path (`events[4]`), a table row. */
  readonly element?: string
}

/** Why reading stopped: input that is not what it claims (malformed), a format we cannot read, bad options. */
export type EventLogProblem = 'malformed' | 'unsupported-format' | 'bad-options'

const codeOf: Readonly<Record<EventLogProblem, { code: ErrorCodeValue; status: number }>> = {
  malformed: { code: ErrorCode.malformedPayload, status: 400 },
  'unsupported-format': { code: ErrorCode.unsupportedMediaType, status: 415 },
  'bad-options': { code: ErrorCode.config, status: 400 },
}

/** `file:line: <element>: message`, the shape compilers use, so editors can jump to it. */
export function describeLocation(location: LogLocation): string {
  const line = location.line === undefined ? '' : `:${location.line}`
  const element = location.element === undefined ? '' : ` ${location.element}:`
  return `${location.file}${line}:${element}`
}

export class EventLogError extends ThroughlineError {
  readonly problem: EventLogProblem
  readonly location: LogLocation

  constructor(problem: EventLogProblem, location: LogLocation, message: string, options?: ErrorOptions) {
    const { code, status } = codeOf[problem]
    super(code, `${describeLocation(location)} ${message}`, status, options)
    this.name = 'EventLogError'
    this.problem = problem
    this.location = location
  }
}
