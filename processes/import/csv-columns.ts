// Resolves a CSV header against a column mapping: which index holds the case, activity,
// timestamps, lifecycle and resource, which delimiter separates fields, and which columns
// are left over as attributes. A mapped column the header lacks is an error that lists them.
import { EventLogError, type LogLocation } from './event-log-error.ts'
import { type CsvMapping, guessedColumns } from './csv-mapping.ts'

export interface CsvColumns {
  readonly case: number
  readonly activity: number
  readonly timestamp: number
  readonly startTimestamp?: number
  readonly lifecycle?: number
  readonly resource?: number
  /** [index, name] of every column that becomes an attribute. */
  readonly attributes: ReadonlyArray<readonly [number, string]>
  /** Columns without a name (a pandas index), left out. */
  readonly unnamed: number
}

type ColumnField = keyof typeof guessedColumns

export type CsvDelimiter = ',' | ';' | '\t'
const delimiters: readonly CsvDelimiter[] = [',', ';', '\t']
const isDelimiter = (char: string): char is CsvDelimiter => char === ',' || char === ';' || char === '\t'

function findColumn(header: readonly string[], mapping: Partial<CsvMapping>, field: ColumnField, location: LogLocation): number | undefined {
  const named = mapping[field]
  if (named !== undefined) {
    const index = header.indexOf(named)
    if (index === -1) {
      throw new EventLogError('bad-options', location, `has no column "${named}" (mapping field ${field}); the columns are: ${header.join(', ')}`)
    }
    return index
  }
  const lower = header.map((name) => name.trim().toLowerCase())
  for (const candidate of guessedColumns[field]) {
    const index = lower.indexOf(candidate)
    if (index !== -1) return index
  }
  return undefined
}

export function resolveCsvColumns(header: readonly string[], mapping: Partial<CsvMapping>, location: LogLocation): CsvColumns {
  const duplicate = header.find((name, index) => name !== '' && header.indexOf(name) !== index)
  if (duplicate !== undefined) throw new EventLogError('malformed', location, `names column "${duplicate}" twice`)
  const required = (field: 'case' | 'activity' | 'timestamp'): number => {
    const index = findColumn(header, mapping, field, location)
    if (index === undefined) {
      throw new EventLogError(
        'bad-options',
        location,
        `has no ${field} column: name it in the mapping (${field}: COLUMN); the columns are: ${header.join(', ')}`,
      )
    }
    return index
  }
  const found = {
    case: required('case'),
    activity: required('activity'),
    timestamp: required('timestamp'),
    startTimestamp: findColumn(header, mapping, 'startTimestamp', location),
    lifecycle: findColumn(header, mapping, 'lifecycle', location),
    resource: findColumn(header, mapping, 'resource', location),
  }
  const used = new Set(Object.values(found))
  const attributes = header.flatMap((name, index) => (used.has(index) || name === '' ? [] : [[index, name] as const]))
  return {
    case: found.case,
    activity: found.activity,
    timestamp: found.timestamp,
    ...(found.startTimestamp === undefined ? {} : { startTimestamp: found.startTimestamp }),
    ...(found.lifecycle === undefined ? {} : { lifecycle: found.lifecycle }),
    ...(found.resource === undefined ? {} : { resource: found.resource }),
    attributes,
    unnamed: header.filter((name) => name === '').length,
  }
}

/** The delimiter of the header line: whichever of , ; TAB occurs most outside quotes. */
export function sniffDelimiter(head: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(delimiters.map((d) => [d, 0]))
  let quoted = false
  for (const char of head) {
    if (char === '"') quoted = !quoted
    else if (!quoted && (char === '\n' || char === '\r')) break
    else if (!quoted && isDelimiter(char)) counts.set(char, (counts.get(char) ?? 0) + 1)
  }
  let best: CsvDelimiter = ','
  for (const delimiter of delimiters) if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) best = delimiter
  return best
}
