// How the columns of a CSV export map onto an event: given as CLI flags or as a small YAML
// or JSON file (one TypeBox schema for both), with unset columns guessed from the names
// pm4py, Disco and Celonis exports use. Errors name the file, line and field.
import { readFile } from 'node:fs/promises'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import { EventLogError } from './event-log-error.ts'
import { KEY_TYPE_PATTERN } from './imported-event.ts'

const Column = Type.String({ minLength: 1 })

export const CsvMappingSchema = Type.Object(
  {
    case: Type.Optional(Type.String({ minLength: 1, description: 'column holding the case id' })),
    activity: Type.Optional(Type.String({ minLength: 1, description: 'column holding the activity name' })),
    timestamp: Type.Optional(Type.String({ minLength: 1, description: 'column holding the time of the event (its completion when startTimestamp is set)' })),
    startTimestamp: Type.Optional(
      Type.String({ minLength: 1, description: 'column holding the start time: each row then yields a start and a complete event' }),
    ),
    lifecycle: Type.Optional(Column),
    resource: Type.Optional(Column),
    timestampFormat: Type.Optional(
      Type.String({ minLength: 1, description: "'auto' (ISO 8601, also with a space and '/') or a pattern such as DD.MM.YYYY HH:mm:ss" }),
    ),
    timeZone: Type.Optional(Type.String({ minLength: 1, description: 'zone of timestamps without an offset: IANA name or +01:00' })),
    delimiter: Type.Optional(Type.Union([Type.Literal(','), Type.Literal(';'), Type.Literal('\t'), Type.Literal('auto')])),
    caseKeyType: Type.Optional(Type.String({ pattern: KEY_TYPE_PATTERN.source, description: 'key type the case id is filed under' })),
  },
  { additionalProperties: false },
)

/** Column names and reading rules; every field optional, since the header fills gaps. */
export type CsvMapping = Required<Type.Static<typeof CsvMappingSchema>>

const validator = Compile(CsvMappingSchema)

/** Well-known column names per field, tried case-insensitively when the mapping is silent. */
export const guessedColumns = {
  case: ['case:concept:name', 'case_id', 'case id', 'caseid', 'case'],
  activity: ['concept:name', 'activity', 'activity_name', 'activity name', 'event'],
  timestamp: ['time:timestamp', 'timestamp', 'complete_timestamp', 'end_timestamp', 'end time', 'time'],
  startTimestamp: ['start_timestamp', 'start:timestamp', 'start_time', 'start time'],
  lifecycle: ['lifecycle:transition', 'lifecycle'],
  resource: ['org:resource', 'resource'],
} as const satisfies Readonly<Record<string, readonly string[]>>

/** Reads a mapping file (YAML or JSON) and checks it against the schema. */
export async function readCsvMappingFile(path: string): Promise<Partial<CsvMapping>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new EventLogError('bad-options', { file: path }, `cannot read the CSV mapping file: ${(error as Error).message}`, { cause: error })
  }
  return parseCsvMapping(text, path)
}

/** Parses mapping text (YAML or JSON); `file` names it in errors. */
export function parseCsvMapping(text: string, file: string): Partial<CsvMapping> {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false })
  const syntax = document.errors[0]
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line
    throw new EventLogError('bad-options', { file, line }, `is not valid YAML or JSON: ${syntax.message.split('\n')[0] ?? ''}`)
  }
  // A column named 2024 is written without quotes in YAML: convert before checking.
  const value: unknown = validator.Convert(document.toJS() ?? {})
  const root = document.contents
  if (root !== null && !isMap(root)) throw new EventLogError('bad-options', { file, line: 1 }, 'must hold a mapping of field: column')
  if (validator.Check(value)) return value
  const errors = validator.Errors(value)
  const unknown = errors.find((e) => e.keyword === 'additionalProperties')
  const listed = unknown === undefined ? undefined : Reflect.get(unknown.params, 'additionalProperties')
  const first = errors.find((e) => !['boolean', 'anyOf', 'const'].includes(e.keyword)) ?? errors[0]
  const field = Array.isArray(listed) && typeof listed[0] === 'string' ? listed[0] : (first?.instancePath.slice(1) ?? '')
  // The line of the offending key, so the message points at it.
  const pair = isMap(root) ? root.items.find((item) => isScalar(item.key) && item.key.value === field) : undefined
  const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined
  const location = offset === undefined ? { file } : { file, line: lineCounter.linePos(offset).line }
  const reason =
    unknown !== undefined
      ? `is not a mapping field (known: ${Object.keys(CsvMappingSchema.properties).join(', ')})`
      : field === 'delimiter'
        ? "must be ',', ';', a tab or 'auto'"
        : (first?.message ?? 'is invalid')
  throw new EventLogError('bad-options', location, `${field}: ${reason}`)
}
