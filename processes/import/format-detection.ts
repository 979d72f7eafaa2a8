// Tells which reader a log needs from its first bytes (magic numbers, root element, JSON
// keys) and only then from its name, because exports are often misnamed. A file we cannot
// read gets an error that says what it looks like instead.
import { extname } from 'node:path'
import { readHead } from './byte-source.ts'
import { EventLogError } from './event-log-error.ts'
import type { EventLogFormat } from './read-options.ts'

export interface DetectedFormat {
  readonly format: EventLogFormat
  readonly gzip: boolean
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1')
const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04])

const byExtension: Readonly<Record<string, EventLogFormat>> = {
  '.xes': 'xes',
  '.xmlocel': 'ocel-xml',
  '.jsonocel': 'ocel-json',
  '.sqlite': 'ocel-sqlite',
  '.csv': 'csv',
  '.tsv': 'csv',
}

function extensionFormat(path: string): EventLogFormat | undefined {
  return byExtension[extname(path.replace(/\.gz$/i, '')).toLowerCase()]
}

function xmlFormat(text: string, file: string): EventLogFormat | undefined {
  // OCEL 1.0 XML borrows XES's <global>, with scopes XES does not have.
  if (/<global\s+scope="(object|log)"|key="ocel:/.test(text)) {
    throw new EventLogError('unsupported-format', { file }, 'is OCEL 1.0 XML, which is not supported: convert it to OCEL 2.0 (pm4py can)')
  }
  const xes = /<trace[\s>/]|xes\.version|xes-standard\.org|<extension\s|<global[\s>]|<classifier\s/.test(text)
  const ocel = /<(object-types|event-types|objects|events)[\s>/]/.test(text)
  if (xes && !ocel) return 'xes'
  if (ocel && !xes) return 'ocel-xml'
  return undefined
}

function jsonFormat(text: string, file: string): EventLogFormat | undefined {
  // Arrays, not objects: a JSON schema of OCEL names the same keys.
  if (/"(objectTypes|eventTypes|events|objects)"\s*:\s*\[/.test(text)) return 'ocel-json'
  if (/"ocel:(global-log|events|objects)"\s*:/.test(text)) {
    throw new EventLogError('unsupported-format', { file }, 'is OCEL 1.0 JSON, which is not supported: convert it to OCEL 2.0 (pm4py can)')
  }
  return undefined
}

/** The reader `path` needs; `declared` (a --format flag) skips the guessing but not gzip. */
export async function detectEventLogFormat(path: string, declared?: EventLogFormat): Promise<DetectedFormat> {
  const { raw, content } = await readHead(path)
  const gzip = raw !== content
  const location = { file: path }
  if (declared !== undefined) return { format: declared, gzip }
  if (raw.length === 0) throw new EventLogError('unsupported-format', location, 'is empty')
  if (raw.subarray(0, sqliteMagic.length).equals(sqliteMagic)) return { format: 'ocel-sqlite', gzip: false }
  if (raw.subarray(0, 4).equals(zipMagic)) {
    throw new EventLogError('unsupported-format', location, 'is a zip archive, which is not supported: unpack it and import the log inside')
  }
  const text = content
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
  const guessed = text.startsWith('<') ? xmlFormat(text, path) : text.startsWith('{') ? jsonFormat(text, path) : undefined
  if (guessed !== undefined) return { format: guessed, gzip }
  const named = extensionFormat(path)
  // A .sqlite name without SQLite's magic bytes is not a database, whatever it says.
  if (named !== undefined && named !== 'ocel-sqlite') return { format: named, gzip }
  if (!text.startsWith('<') && !text.startsWith('{') && !text.includes('\0') && /^[^\r\n]*[,;\t][^\r\n]*\r?\n/.test(text)) {
    return { format: 'csv', gzip }
  }
  const looksLike = text.startsWith('<')
    ? `XML with root ${/^(?:<\?[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(<[^\s>]+)/.exec(text)?.[1] ?? '?'}>`
    : text.startsWith('{')
      ? 'JSON that is not OCEL 2.0'
      : 'no known format'
  throw new EventLogError(
    'unsupported-format',
    location,
    `is not an event log this version reads (${looksLike}): expected XES, CSV, or OCEL 2.0 as JSON, XML or SQLite (use --format to say which)`,
  )
}
