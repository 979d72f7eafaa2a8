// Reads OCEL 2.0 SQLite with node:sqlite: per event type, the events joined with their
// type table (time, attributes) and, in a second query sorted the same way, their relations
// joined with the object table (the object's type). SQLite sorts and joins, so memory
// holds a row at a time. Times there carry no offset: ReadEventLogOptions.timeZone applies.
import type { ImportedEvent, ImportedObject } from './imported-event.ts'
import { EventLogError } from './event-log-error.ts'
import { OcelCatalog, ocelEvent, ocelObject } from './ocel-records.ts'
import type { ReadContext } from './read-options.ts'
import { openOcelDatabase, quoteName, RowCursor, typeTables, type Row } from './sqlite-tables.ts'
import type { SourceValue } from './typed-value.ts'

function sourceValue(value: Row[string]): SourceValue {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
    ? (value ?? null)
    : Buffer.from(value).toString('base64')
}

export async function* readOcelSqlite(context: ReadContext): AsyncGenerator<ImportedEvent> {
  const db = openOcelDatabase(context.path)
  try {
    const tables = typeTables(db, 'event')
    const catalog = new OcelCatalog()
    for (const [type, { columns }] of tables) catalog.declare('event', type, columns)
    const total = Number(db.prepare('SELECT count(*) AS n FROM event').get()?.n ?? 0)
    let done = 0
    const eventTypes = db
      .prepare('SELECT DISTINCT ocel_type FROM event ORDER BY ocel_type')
      .all()
      .map((row) => String(row.ocel_type))
    for (const type of eventTypes) {
      const table = tables.get(type)
      if (table === undefined)
        throw new EventLogError(
          'malformed',
          { file: context.file, element: `event type "${type}"` },
          'has no table of its own (event_<type>), so its events have no time',
        )
      const attributeColumns = table.columns.map((c) => `, t.${quoteName(c.name)}`).join('')
      const events = db
        .prepare(
          `SELECT e.ocel_id AS tl_event_id, t.ocel_time AS tl_time${attributeColumns} FROM event e LEFT JOIN ${quoteName(table.table)} t ON t.ocel_id = e.ocel_id WHERE e.ocel_type = ? ORDER BY e.ocel_id`,
        )
        .iterate(type)
      const relations = new RowCursor(
        db
          .prepare(
            `SELECT eo.ocel_event_id AS event_id, eo.ocel_object_id AS object_id, eo.ocel_qualifier AS qualifier, o.ocel_type AS object_type
             FROM event_object eo JOIN event e ON e.ocel_id = eo.ocel_event_id LEFT JOIN object o ON o.ocel_id = eo.ocel_object_id
             WHERE e.ocel_type = ? ORDER BY eo.ocel_event_id`,
          )
          .iterate(type),
      )
      for (const row of events) {
        const id = String(row.tl_event_id)
        const location = { file: context.file, element: `event "${id}" (table ${table.table})` }
        if (row.tl_time === null || row.tl_time === undefined) throw new EventLogError('malformed', location, `has no row in ${table.table}, so it has no time`)
        yield ocelEvent(
          {
            id,
            type,
            time: String(row.tl_time),
            attributes: table.columns.map((c) => ({ name: c.name, value: sourceValue(row[c.name] ?? null) })),
            relations: relations.takeWhile('event_id', id).map((r) => ({
              objectId: String(r.object_id),
              qualifier: r.qualifier === null ? null : String(r.qualifier),
              objectType: r.object_type === null ? null : String(r.object_type),
            })),
            location,
          },
          catalog,
          context,
        )
        done += 1
        if (done % 1000 === 0 || done === total) context.progress({ done, total, unit: 'events' })
      }
    }
    catalog.reportUnknown(context)
  } finally {
    db.close()
  }
}

export async function* readOcelSqliteObjects(context: ReadContext): AsyncGenerator<ImportedObject> {
  const db = openOcelDatabase(context.path)
  try {
    const tables = typeTables(db, 'object')
    const catalog = new OcelCatalog()
    for (const [type, { columns }] of tables) catalog.declare('object', type, columns)
    const hasLinks = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'object_object'`).get() !== undefined
    for (const type of db
      .prepare('SELECT DISTINCT ocel_type FROM object ORDER BY ocel_type')
      .all()
      .map((row) => String(row.ocel_type))) {
      const table = tables.get(type)
      // Attribute rows: the first of an object holds every value, later ones the changed field.
      const values = new RowCursor(
        table === undefined
          ? [][Symbol.iterator]()
          : db
              .prepare(
                `SELECT t.* FROM ${quoteName(table.table)} t JOIN object o ON o.ocel_id = t.ocel_id WHERE o.ocel_type = ? ORDER BY t.ocel_id, t.ocel_time`,
              )
              .iterate(type),
      )
      const links = new RowCursor(
        hasLinks
          ? db
              .prepare(
                `SELECT oo.ocel_source_id AS source, oo.ocel_target_id AS target, oo.ocel_qualifier AS qualifier FROM object_object oo JOIN object o ON o.ocel_id = oo.ocel_source_id WHERE o.ocel_type = ? ORDER BY oo.ocel_source_id`,
              )
              .iterate(type)
          : [][Symbol.iterator](),
      )
      for (const row of db.prepare('SELECT ocel_id FROM object WHERE ocel_type = ? ORDER BY ocel_id').iterate(type)) {
        const id = String(row.ocel_id)
        const attributes = values.takeWhile('ocel_id', id).flatMap((value) => {
          const changed = value.ocel_changed_field
          const names = (table?.columns ?? [])
            .map((c) => c.name)
            .filter((name) => (changed === null || changed === undefined ? value[name] !== null : name === String(changed)))
          const time = value.ocel_time
          return names.map((name) =>
            time === null || time === undefined
              ? { name, value: sourceValue(value[name] ?? null) }
              : { name, value: sourceValue(value[name] ?? null), time: String(time) },
          )
        })
        const relations = links
          .takeWhile('source', id)
          .map((link) => ({ objectId: String(link.target), qualifier: link.qualifier === null ? null : String(link.qualifier) }))
        yield ocelObject({ id, type, attributes, relations, location: { file: context.file, element: `object "${id}"` } }, catalog, context)
      }
    }
  } finally {
    db.close()
  }
}
