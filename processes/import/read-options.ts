// What a caller (the CLI's flags, the API's request) can say about an import, and the
// resolved form each reader works with. Defaults live here, once.
import { EventLogError } from './event-log-error.ts'
import { KEY_TYPE_PATTERN } from './imported-event.ts'
import { type TimeZone, timeZoneNamed } from '../../core/time-zone.ts'
import type { CsvMapping } from './csv-mapping.ts'

export const EVENT_LOG_FORMATS = ['xes', 'csv', 'ocel-json', 'ocel-xml', 'ocel-sqlite'] as const
export type EventLogFormat = (typeof EVENT_LOG_FORMATS)[number]

/** How far a read has got, for a progress bar: bytes of the file, or events of a database. */
export interface ReadProgress {
  readonly done: number
  readonly total: number
  readonly unit: 'bytes' | 'events'
}

/** Something in the log that was read anyway but an operator should know about. */
export interface ImportWarning {
  readonly code: 'unknown-object' | 'ignored-column'
  readonly message: string
}

export interface ReadEventLogOptions {
  /** Skip detection (gzip is still recognised by its magic bytes). */
  readonly format?: EventLogFormat
  /** The key type the case id of an XES or CSV log is filed under; default `case_id`. */
  readonly caseKeyType?: string
  /** The zone of timestamps written without an offset: IANA name or `+01:00`; default UTC. */
  readonly timeZone?: string
  /** CSV column mapping; unset fields are guessed from well-known column names. */
  readonly csv?: Partial<CsvMapping>
  /** Mixed into every event id, to keep two logs that reuse ids (OCEL `e1`) apart in one process. */
  readonly eventIdNamespace?: string
  readonly progress?: (progress: ReadProgress) => void
  readonly warn?: (warning: ImportWarning) => void
}

/** The options a reader gets: checked, defaulted, with the file it reads. */
export interface ReadContext {
  readonly path: string
  /** The name used in messages (the path as the caller gave it). */
  readonly file: string
  readonly gzip: boolean
  readonly caseKeyType: string
  readonly timeZone: TimeZone
  readonly eventIdNamespace: string
  readonly csv: Partial<CsvMapping>
  readonly progress: (progress: ReadProgress) => void
  readonly warn: (warning: ImportWarning) => void
}

export function resolveReadContext(path: string, gzip: boolean, options: ReadEventLogOptions): ReadContext {
  const location = { file: path }
  const caseKeyType = options.caseKeyType ?? options.csv?.caseKeyType ?? 'case_id'
  if (!KEY_TYPE_PATTERN.test(caseKeyType)) {
    throw new EventLogError('bad-options', location, `case key type "${caseKeyType}" must match ${KEY_TYPE_PATTERN.source}`)
  }
  const zone = timeZoneNamed(options.timeZone ?? options.csv?.timeZone ?? 'UTC')
  if (typeof zone === 'string') throw new EventLogError('bad-options', location, zone)
  return {
    path,
    file: path,
    gzip,
    caseKeyType,
    timeZone: zone,
    eventIdNamespace: options.eventIdNamespace ?? '',
    csv: options.csv ?? {},
    progress: options.progress ?? (() => undefined),
    warn: options.warn ?? (() => undefined),
  }
}
