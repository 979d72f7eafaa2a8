// The one entry of `throughline import`: detect the format, resolve the options, and hand
// the file to the reader registered for that format. Readers are a registry keyed by
// format, so a new format is one line here and one module beside it.
import { EventLogError } from './event-log-error.ts'
import { detectEventLogFormat } from './format-detection.ts'
import type { ImportedEvent, ImportedObject } from './imported-event.ts'
import { readCsv } from './csv-reader.ts'
import { readOcelJson, readOcelJsonObjects } from './ocel-json-reader.ts'
import { readOcelSqlite, readOcelSqliteObjects } from './ocel-sqlite-reader.ts'
import { readOcelXml, readOcelXmlObjects } from './ocel-xml-reader.ts'
import { type EventLogFormat, type ReadContext, type ReadEventLogOptions, resolveReadContext } from './read-options.ts'
import { readXes } from './xes-reader.ts'

type EventReader = (context: ReadContext) => AsyncIterable<ImportedEvent>
type ObjectReader = (context: ReadContext) => AsyncIterable<ImportedObject>

const eventReaders: Readonly<Record<EventLogFormat, EventReader>> = {
  xes: readXes,
  csv: readCsv,
  'ocel-json': readOcelJson,
  'ocel-xml': readOcelXml,
  'ocel-sqlite': readOcelSqlite,
}

const objectReaders: Readonly<Partial<Record<EventLogFormat, ObjectReader>>> = {
  'ocel-json': readOcelJsonObjects,
  'ocel-xml': readOcelXmlObjects,
  'ocel-sqlite': readOcelSqliteObjects,
}

/**
 * The events of a log file, streamed: XES (plain or gzip), CSV (plain or gzip) or OCEL 2.0
 * (JSON, XML, SQLite). Throws EventLogError naming the line or element of malformed input.
 */
export async function* readEventLog(path: string, options: ReadEventLogOptions = {}): AsyncGenerator<ImportedEvent> {
  const { format, gzip } = await detectEventLogFormat(path, options.format)
  yield* eventReaders[format](resolveReadContext(path, gzip, options))
}

/** The objects of an OCEL log with their attribute history and object-to-object relations. */
export async function* readEventLogObjects(path: string, options: ReadEventLogOptions = {}): AsyncGenerator<ImportedObject> {
  const { format, gzip } = await detectEventLogFormat(path, options.format)
  const reader = objectReaders[format]
  if (reader === undefined) throw new EventLogError('unsupported-format', { file: path }, `is ${format}, which has cases, not objects: read its events`)
  yield* reader(resolveReadContext(path, gzip, options))
}
