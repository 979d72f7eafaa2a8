// The OCEL 2.0 SQLite layout: tables event, object, event_object, object_object, and one
// table per event or object type (event_<Type>, object_<Type>) named through
// event_map_type / object_map_type. Reads the layout and each type table's columns, and
// opens the file read-only so an import never changes the log it reads.
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite'
import { EventLogError } from './event-log-error.ts'
import type { ValueType } from './typed-value.ts'

export type Row = Record<string, SQLOutputValue>

/** Per type: its table and that table's attribute columns with their value types. */
export interface TypeTable {
  readonly table: string
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ValueType }>
}

export const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`

const OCEL_COLUMNS = new Set(['ocel_id', 'ocel_time', 'ocel_changed_field'])

function columnType(declared: string): ValueType {
  const type = declared.toUpperCase()
  if (/INT/.test(type)) return 'integer'
  if (/REAL|FLOA|DOUB|NUMERIC|DECIMAL/.test(type)) return 'float'
  if (/BOOL/.test(type)) return 'boolean'
  if (/TIME|DATE/.test(type)) return 'time'
  return 'string'
}

export function openOcelDatabase(file: string): DatabaseSync {
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file, { readOnly: true })
  } catch (error) {
    throw new EventLogError('malformed', { file }, `cannot be opened as SQLite: ${(error as Error).message}`, { cause: error })
  }
  const tables = new Set(
    db
      .prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`)
      .all()
      .map((row) => String(row.name)),
  )
  for (const needed of ['event', 'object', 'event_object']) {
    if (!tables.has(needed)) {
      db.close()
      throw new EventLogError('unsupported-format', { file }, `is SQLite but not an OCEL 2.0 log: it has no table "${needed}"`)
    }
  }
  return db
}

function tableExists(db: DatabaseSync, table: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(table) !== undefined
}

/** Type name -> its table, from the map table when there is one, else by the spec's naming rule. */
export function typeTables(db: DatabaseSync, kind: 'event' | 'object'): Map<string, TypeTable> {
  const mapped = new Map<string, string>()
  if (tableExists(db, `${kind}_map_type`)) {
    for (const row of db.prepare(`SELECT ocel_type, ocel_type_map FROM ${kind}_map_type`).all()) mapped.set(String(row.ocel_type), String(row.ocel_type_map))
  }
  const out = new Map<string, TypeTable>()
  for (const row of db.prepare(`SELECT DISTINCT ocel_type FROM ${kind}`).all()) {
    const type = String(row.ocel_type)
    const table = `${kind}_${mapped.get(type) ?? type.replace(/[^A-Za-z0-9]/g, '')}`
    if (!tableExists(db, table)) continue
    const columns = db
      .prepare(`PRAGMA table_info(${quoteName(table)})`)
      .all()
      .flatMap((column) => (OCEL_COLUMNS.has(String(column.name)) ? [] : [{ name: String(column.name), type: columnType(String(column.type ?? '')) }]))
    out.set(type, { table, columns })
  }
  return out
}

/** An iterator one can look at before taking: merges rows of two queries sorted by the same key. */
export class RowCursor {
  private readonly rows: Iterator<Row>
  private head: IteratorResult<Row>

  constructor(rows: Iterator<Row>) {
    this.rows = rows
    this.head = rows.next()
  }

  /** Takes every row at the front whose `column` equals `key`. */
  takeWhile(column: string, key: string): Row[] {
    const taken: Row[] = []
    while (this.head.done !== true && String(this.head.value[column]) === key) {
      taken.push(this.head.value)
      this.head = this.rows.next()
    }
    return taken
  }
}
