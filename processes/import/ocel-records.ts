// OCEL 2.0 as its three encodings (JSON, XML, SQLite) all describe it: type declarations,
// objects and events with their relations. Each reader produces these records; the functions
// here turn them into ImportedEvents and ImportedObjects, so the encodings cannot disagree.
import { EventLogError, type LogLocation } from './event-log-error.ts'
import { type ImportedEvent, type ImportedObject, keyTypeOfObjectType, lifecycleOf, type ObjectRef } from './imported-event.ts'
import type { ReadContext } from './read-options.ts'
import { parseTimestamp } from './timestamp.ts'
import { canonicalValue, type SourceValue, type ValueType, valueTypeNamed } from './typed-value.ts'

export interface OcelRelation {
  readonly objectId: string
  readonly qualifier?: string | null
  /** Known when the source joins it in (SQLite); otherwise looked up in the catalog. */
  readonly objectType?: string | null
}

export interface OcelAttributeValue {
  readonly name: string
  readonly value: SourceValue
  /** Objects only: when the value took effect. */
  readonly time?: string
}

export interface OcelEventRecord {
  readonly id: string
  readonly type: string
  readonly time: string
  readonly attributes: readonly OcelAttributeValue[]
  readonly relations: readonly OcelRelation[]
  readonly location: LogLocation
}

export interface OcelObjectRecord {
  readonly id: string
  readonly type: string
  readonly attributes: readonly OcelAttributeValue[]
  readonly relations: readonly OcelRelation[]
  readonly location: LogLocation
}

/** What events need to know about the rest of the log: declared attribute types, object types. */
export class OcelCatalog {
  readonly eventAttributeTypes = new Map<string, Map<string, ValueType>>()
  readonly objectAttributeTypes = new Map<string, Map<string, ValueType>>()
  /** Object id -> type: the one structure that grows with the log (with its object count). */
  readonly objectTypes = new Map<string, string>()
  private unknownRelations = 0
  private readonly unknownExamples: string[] = []

  declare(kind: 'event' | 'object', typeName: string, attributes: ReadonlyArray<{ readonly name: string; readonly type: string | undefined }>): void {
    const target = kind === 'event' ? this.eventAttributeTypes : this.objectAttributeTypes
    target.set(typeName, new Map(attributes.map((a) => [a.name, valueTypeNamed(a.type)])))
  }

  /** Relations to objects the log never declared: counted, and reported once at the end. */
  noteUnknown(objectId: string): void {
    this.unknownRelations += 1
    if (this.unknownExamples.length < 3 && !this.unknownExamples.includes(objectId)) this.unknownExamples.push(objectId)
  }

  reportUnknown(context: ReadContext): void {
    if (this.unknownRelations === 0) return
    context.warn({
      code: 'unknown-object',
      message: `${context.file}: ${this.unknownRelations} event-to-object relations name objects the log does not declare (e.g. ${this.unknownExamples.join(', ')}); they are kept in objects with type null and give no key`,
    })
  }
}

function timeOf(text: string, context: ReadContext, location: LogLocation, what: string): bigint {
  const ns = parseTimestamp(text, context.timeZone)
  if (typeof ns === 'string') throw new EventLogError('malformed', location, `${what} "${text}" is not a valid date: ${ns}`)
  return ns
}

function textOf(type: ValueType, value: SourceValue, context: ReadContext, location: LogLocation, name: string): string {
  const text = canonicalValue(type, value, context.timeZone)
  if (typeof text !== 'string') throw new EventLogError('malformed', location, `attribute ${name}: ${text.invalid}`)
  return text
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  const left = [a.keyType ?? '\uffff', a.id, a.qualifier ?? '']
  const right = [b.keyType ?? '\uffff', b.id, b.qualifier ?? '']
  for (let i = 0; i < left.length; i += 1) if (left[i] !== right[i]) return left[i]! < right[i]! ? -1 : 1
  return 0
}

/**
 * One event: every relation lands in `objects` (sorted), and `keys` holds, per object type,
 * the smallest related id, a choice that does not depend on the order a format lists them in.
 */
export function ocelEvent(record: OcelEventRecord, catalog: OcelCatalog, context: ReadContext): ImportedEvent {
  const declared = catalog.eventAttributeTypes.get(record.type)
  const attributes: Record<string, string> = {}
  for (const { name, value } of record.attributes) {
    if (value === null) continue
    const type = declared?.get(name) ?? 'string'
    Object.defineProperty(attributes, name, {
      value: textOf(type, value, context, record.location, name),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  const objects = record.relations.map((relation): ObjectRef => {
    const type = relation.objectType === undefined ? catalog.objectTypes.get(relation.objectId) : relation.objectType
    if (type === undefined || type === null) catalog.noteUnknown(relation.objectId)
    const known = type === undefined || type === null ? null : type
    const ref = { type: known, keyType: known === null ? null : keyTypeOfObjectType(known), id: relation.objectId }
    return relation.qualifier === undefined || relation.qualifier === null || relation.qualifier === '' ? ref : { ...ref, qualifier: relation.qualifier }
  })
  objects.sort(compareRefs)
  const keys: Record<string, string> = {}
  for (const ref of objects) if (ref.keyType !== null && !Object.hasOwn(keys, ref.keyType)) keys[ref.keyType] = ref.id
  const resource = attributes['org:resource']
  const event: ImportedEvent = {
    eventId: context.eventIdNamespace === '' ? record.id : `${context.eventIdNamespace}:${record.id}`,
    activity: record.type,
    timestampNs: timeOf(record.time, context, record.location, 'time'),
    lifecycle: lifecycleOf(attributes['lifecycle:transition']),
    keys,
    objects,
    attributes,
  }
  return resource === undefined ? event : { ...event, resource }
}

export function ocelObject(record: OcelObjectRecord, catalog: OcelCatalog, context: ReadContext): ImportedObject {
  const declared = catalog.objectAttributeTypes.get(record.type)
  return {
    id: record.id,
    type: record.type,
    keyType: keyTypeOfObjectType(record.type),
    attributes: record.attributes.flatMap(({ name, value, time }) =>
      value === null
        ? []
        : [
            {
              name,
              value: textOf(declared?.get(name) ?? 'string', value, context, record.location, name),
              timestampNs: time === undefined ? 0n : timeOf(time, context, record.location, `attribute ${name} time`),
            },
          ],
    ),
    relations: record.relations.map((r) =>
      r.qualifier === undefined || r.qualifier === null || r.qualifier === '' ? { id: r.objectId } : { id: r.objectId, qualifier: r.qualifier },
    ),
  }
}
