// Reads OCEL 2.0 JSON in two streaming passes: the first collects the type declarations and
// each object's type (events name objects only by id), the second yields the events. Each
// array element is parsed on its own, so a file of any size is read in bounded memory
// (plus the id -> type map, which grows with the number of objects).
import { byteProgress, fileSize, openContentStream, streamError } from './byte-source.ts'
import { EventLogError, type LogLocation } from './event-log-error.ts'
import type { ImportedEvent, ImportedObject } from './imported-event.ts'
import { JsonSectionScanner } from './json-sections.ts'
import { OcelCatalog, type OcelAttributeValue, type OcelObjectRecord, type OcelRelation, ocelEvent, ocelObject } from './ocel-records.ts'
import type { ReadContext } from './read-options.ts'
import type { SourceValue } from './typed-value.ts'

interface ParsedElement {
  readonly section: string
  readonly value: Readonly<Record<string, unknown>>
  readonly location: LogLocation
}

async function* sectionElements(context: ReadContext, sections: readonly string[], pass: number, passes: number): AsyncGenerator<ParsedElement> {
  const scanner = new JsonSectionScanner(sections)
  const content = openContentStream(context.path, context.gzip, byteProgress(context.progress, await fileSize(context.path), pass, passes))
  content.setEncoding('utf8')
  try {
    for await (const chunk of content) {
      for (const element of scanner.feed(String(chunk))) {
        const location = { file: context.file, line: element.line, element: `${element.section}[${element.index}]` }
        let value: unknown
        try {
          value = JSON.parse(element.text)
        } catch (error) {
          throw new EventLogError('malformed', location, `is not valid JSON: ${(error as Error).message}`, { cause: error })
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError('malformed', location, 'is not an object')
        yield { section: element.section, value: { ...value }, location }
      }
      // Later sections are not needed: stop reading (the rest of the file may be large).
      if (sections.every((section) => scanner.finished.has(section))) return
    }
    scanner.end()
  } catch (error) {
    if (error instanceof EventLogError) throw error
    if (error instanceof Error && !('code' in error))
      throw new EventLogError('malformed', { file: context.file, line: scanner.currentLine }, `is not valid OCEL JSON: ${error.message}`, { cause: error })
    throw streamError(context.file, error)
  }
}

function text(value: Readonly<Record<string, unknown>>, field: string, location: LogLocation): string {
  const found = value[field]
  if (typeof found === 'string') return found
  if (typeof found === 'number') return String(found)
  throw new EventLogError('malformed', location, `field "${field}" must be a string`)
}

function list(value: Readonly<Record<string, unknown>>, field: string, location: LogLocation): Array<Readonly<Record<string, unknown>>> {
  const found = value[field] ?? []
  if (!Array.isArray(found)) throw new EventLogError('malformed', location, `field "${field}" must be an array`)
  return found.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw new EventLogError('malformed', location, `${field}[${index}] must be an object`)
    return { ...item }
  })
}

function sourceValue(found: unknown): SourceValue {
  return typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean'
    ? found
    : found === null || found === undefined
      ? null
      : JSON.stringify(found)
}

function attributesOf(value: Readonly<Record<string, unknown>>, location: LogLocation): OcelAttributeValue[] {
  return list(value, 'attributes', location).map((a) => {
    const attribute = { name: text(a, 'name', location), value: sourceValue(a.value) }
    return typeof a.time === 'string' ? { ...attribute, time: a.time } : attribute
  })
}

function relationsOf(value: Readonly<Record<string, unknown>>, location: LogLocation): OcelRelation[] {
  return list(value, 'relationships', location).map((r) => ({
    objectId: text(r, 'objectId', location),
    qualifier: typeof r.qualifier === 'string' ? r.qualifier : null,
  }))
}

function objectRecord(element: ParsedElement): OcelObjectRecord {
  const { value, location } = element
  return {
    id: text(value, 'id', location),
    type: text(value, 'type', location),
    attributes: attributesOf(value, location),
    relations: relationsOf(value, location),
    location,
  }
}

function declare(catalog: OcelCatalog, element: ParsedElement): void {
  const kind = element.section === 'eventTypes' ? 'event' : 'object'
  const attributes = list(element.value, 'attributes', element.location).map((a) => ({
    name: text(a, 'name', element.location),
    type: typeof a.type === 'string' ? a.type : undefined,
  }))
  catalog.declare(kind, text(element.value, 'name', element.location), attributes)
}

/** Pass one: declarations and each object's type. */
async function readCatalog(context: ReadContext): Promise<OcelCatalog> {
  const catalog = new OcelCatalog()
  for await (const element of sectionElements(context, ['objectTypes', 'eventTypes', 'objects'], 0, 2)) {
    if (element.section !== 'objects') declare(catalog, element)
    else catalog.objectTypes.set(text(element.value, 'id', element.location), text(element.value, 'type', element.location))
  }
  return catalog
}

export async function* readOcelJson(context: ReadContext): AsyncGenerator<ImportedEvent> {
  const catalog = await readCatalog(context)
  for await (const { value, location } of sectionElements(context, ['events'], 1, 2)) {
    yield ocelEvent(
      {
        id: text(value, 'id', location),
        type: text(value, 'type', location),
        time: text(value, 'time', location),
        attributes: attributesOf(value, location),
        relations: relationsOf(value, location),
        location,
      },
      catalog,
      context,
    )
  }
  catalog.reportUnknown(context)
}

/** Objects in file order, one pass; the standard puts objectTypes first, so values get their declared types. */
export async function* readOcelJsonObjects(context: ReadContext): AsyncGenerator<ImportedObject> {
  const catalog = new OcelCatalog()
  for await (const element of sectionElements(context, ['objectTypes', 'objects'], 0, 1)) {
    if (element.section === 'objects') yield ocelObject(objectRecord(element), catalog, context)
    else declare(catalog, element)
  }
}
