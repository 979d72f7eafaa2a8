// Reads a CSV export (plain or gzip) as a stream of ImportedEvents, one row at a time. A row
// with both a start and a completion time yields two events; columns the mapping does not
// name become attributes. Errors name the line, the column and the value.
import { parse } from 'csv-parse'
import { byteProgress, fileSize, openContentStream, readHead, streamError } from './byte-source.ts'
import { resolveCsvColumns, sniffDelimiter, type CsvColumns } from './csv-columns.ts'
import { contentDigest, OccurrenceCounter } from './event-id.ts'
import { EventLogError } from './event-log-error.ts'
import { type ImportedEvent, lifecycleOf } from './imported-event.ts'
import type { ReadContext } from './read-options.ts'
import { isoTimestampLayout, parseTimestamp, timestampLayoutFromPattern, type TimestampLayout } from './timestamp.ts'

// Rows of one case may lie far apart when an export is sorted by time; the counter of
// identical events remembers this many recent ones (event-id.ts, docs/import.md).
const RECENT_EVENTS = 1 << 17

interface CsvRecord {
  readonly record: readonly string[]
  readonly line: number
}

function csvRecord(item: unknown): CsvRecord {
  const record: unknown = Reflect.get(Object(item), 'record')
  const info: unknown = Reflect.get(Object(item), 'info')
  const line: unknown = Reflect.get(Object(info), 'lines')
  if (!Array.isArray(record) || typeof line !== 'number') throw new Error('csv-parse yielded an unexpected record shape')
  return { record: record.map(String), line }
}

function layoutOf(context: ReadContext): TimestampLayout {
  const format = context.csv.timestampFormat
  if (format === undefined || format === 'auto') return isoTimestampLayout
  const layout = timestampLayoutFromPattern(format)
  if (typeof layout === 'string') throw new EventLogError('bad-options', { file: context.file }, `timestampFormat: ${layout}`)
  return layout
}

export async function* readCsv(context: ReadContext): AsyncGenerator<ImportedEvent> {
  const layout = layoutOf(context)
  const declared = context.csv.delimiter
  const delimiter = declared === undefined || declared === 'auto' ? sniffDelimiter((await readHead(context.path)).content.toString('utf8')) : declared
  const parser = parse({ delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true })
  const rows = openContentStream(context.path, context.gzip, byteProgress(context.progress, await fileSize(context.path)), parser)
  const occurrences = new OccurrenceCounter(RECENT_EVENTS)
  let header: readonly string[] | undefined
  let columns: CsvColumns | undefined
  try {
    for await (const item of rows) {
      const { record, line } = csvRecord(item)
      if (header === undefined || columns === undefined) {
        header = record
        columns = resolveCsvColumns(header, context.csv, { file: context.file, line })
        if (columns.unnamed > 0)
          context.warn({ code: 'ignored-column', message: `${context.file}: ${columns.unnamed} column(s) without a name (an index column?) left out` })
        continue
      }
      if (record.length !== header.length) {
        throw new EventLogError(
          'malformed',
          { file: context.file, line },
          `has ${record.length} fields, the header has ${header.length} (a missing or extra delimiter?)`,
        )
      }
      yield* rowEvents(context, layout, header, columns, record, line, occurrences)
    }
  } catch (error) {
    throw csvError(context.file, error)
  }
  if (header === undefined) throw new EventLogError('malformed', { file: context.file }, 'has no header row')
}

function csvError(file: string, error: unknown): Error {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const lines: unknown = Reflect.get(Object(error), 'lines')
    const location = typeof lines === 'number' ? { file, line: lines } : { file }
    return new EventLogError('malformed', location, `is not valid CSV: ${(error as Error).message}`, { cause: error })
  }
  return streamError(file, error)
}

function rowEvents(
  context: ReadContext,
  layout: TimestampLayout,
  header: readonly string[],
  columns: CsvColumns,
  record: readonly string[],
  line: number,
  occurrences: OccurrenceCounter,
): ImportedEvent[] {
  const cell = (index: number | undefined): string => (index === undefined ? '' : (record[index] ?? '').trim())
  const fail = (index: number, message: string): never => {
    throw new EventLogError('malformed', { file: context.file, line, element: `column "${header[index] ?? index}"` }, message)
  }
  const caseId = cell(columns.case)
  if (caseId === '') fail(columns.case, 'is empty: every row needs a case id')
  const activity = cell(columns.activity)
  if (activity === '') fail(columns.activity, 'is empty: every row needs an activity')
  const time = (index: number | undefined): bigint | undefined => {
    const text = cell(index)
    if (index === undefined || text === '') return undefined
    const ns = parseTimestamp(text, context.timeZone, layout)
    return typeof ns === 'string' ? fail(index, `"${text}" is not a valid timestamp: ${ns} (set timestampFormat for other layouts)`) : ns
  }
  const completeNs = time(columns.timestamp)
  const startNs = time(columns.startTimestamp)
  if (completeNs === undefined && startNs === undefined) fail(columns.timestamp, 'is empty: every row needs a timestamp')
  const resource = cell(columns.resource) || undefined
  const attributes: Record<string, string> = {}
  for (const [index, name] of columns.attributes) {
    const value = cell(index)
    if (value !== '') Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true })
  }
  const rowTransition = cell(columns.lifecycle)
  const event = (timestampNs: bigint, transition: string): ImportedEvent => {
    const digest = contentDigest({ namespace: context.eventIdNamespace, keyType: context.caseKeyType, caseId, activity, timestampNs, transition, resource })
    const imported: ImportedEvent = {
      eventId: occurrences.eventId(digest),
      activity,
      timestampNs,
      lifecycle: lifecycleOf(transition),
      keys: { [context.caseKeyType]: caseId },
      objects: [{ type: context.caseKeyType, keyType: context.caseKeyType, id: caseId }],
      attributes: transition === '' ? attributes : { ...attributes, 'lifecycle:transition': transition },
    }
    return resource === undefined ? imported : { ...imported, resource }
  }
  const events: ImportedEvent[] = []
  if (startNs !== undefined) events.push(event(startNs, 'start'))
  // With a start column the other time is the completion, whatever a lifecycle column says.
  if (completeNs !== undefined) events.push(event(completeNs, startNs !== undefined || columns.startTimestamp !== undefined ? 'complete' : rowTransition))
  return events
}
