// The OCEL 2.0 XML structure as saxes reports it: type declarations go into the catalog,
// each finished <object> and <event> becomes a record, and the end of the top-level
// <objects> is announced so a first pass can stop there. Missing required attributes are
// errors that name the element and its line.
import { EventLogError } from './event-log-error.ts'
import type { OcelAttributeValue, OcelCatalog, OcelEventRecord, OcelObjectRecord, OcelRelation } from './ocel-records.ts'
import type { XmlHandlers } from './xml-stream.ts'

export type OcelXmlRecord =
  | { readonly kind: 'object'; readonly record: OcelObjectRecord }
  | { readonly kind: 'event'; readonly record: OcelEventRecord }
  | { readonly kind: 'objects-end' }

interface Entity {
  readonly kind: 'object' | 'event'
  readonly id: string
  readonly type: string
  readonly time: string
  readonly line: number
  readonly attributes: OcelAttributeValue[]
  readonly relations: OcelRelation[]
}

export class OcelXmlAssembler implements XmlHandlers {
  readonly pending: OcelXmlRecord[] = []
  private readonly file: string
  private readonly catalog: OcelCatalog
  private readonly path: string[] = []
  private declaration: { kind: 'event' | 'object'; name: string; attributes: Array<{ name: string; type: string | undefined }> } | undefined
  private entity: Entity | undefined
  private attribute: { name: string; time: string | undefined; text: string } | undefined

  constructor(file: string, catalog: OcelCatalog) {
    this.file = file
    this.catalog = catalog
  }

  open(name: string, attributes: Readonly<Record<string, string>>, line: number): void {
    const parent = this.path.at(-1)
    this.path.push(name)
    const required = (attribute: string): string => {
      const value = attributes[attribute]
      if (value === undefined) throw new EventLogError('malformed', { file: this.file, line, element: `<${name}>` }, `has no ${attribute} attribute`)
      return value
    }
    if (this.path.length === 1 && name !== 'log') {
      throw new EventLogError('malformed', { file: this.file, line, element: `<${name}>` }, 'is not an OCEL 2.0 log: the root element must be <log>')
    }
    if (name === 'object-type' || name === 'event-type') {
      this.declaration = { kind: name === 'event-type' ? 'event' : 'object', name: required('name'), attributes: [] }
    } else if (name === 'attribute' && this.declaration !== undefined) {
      this.declaration.attributes.push({ name: required('name'), type: attributes.type })
    } else if ((name === 'object' || name === 'event') && (parent === 'objects' || parent === 'events') && this.path.length === 3) {
      this.entity = {
        kind: name,
        id: required('id'),
        type: required('type'),
        time: name === 'event' ? required('time') : '',
        line,
        attributes: [],
        relations: [],
      }
    } else if (name === 'attribute' && this.entity !== undefined) {
      this.attribute = { name: required('name'), time: attributes.time, text: '' }
    } else if (name === 'relationship' && this.entity !== undefined) {
      this.entity.relations.push({ objectId: required('object-id'), qualifier: attributes.qualifier ?? null })
    }
  }

  text(text: string): void {
    if (this.attribute !== undefined) this.attribute.text += text
  }

  close(name: string): void {
    this.path.pop()
    if ((name === 'object-type' || name === 'event-type') && this.declaration !== undefined) {
      this.catalog.declare(this.declaration.kind, this.declaration.name, this.declaration.attributes)
      this.declaration = undefined
    } else if (name === 'attribute' && this.attribute !== undefined && this.entity !== undefined) {
      const { name: attributeName, time, text } = this.attribute
      this.entity.attributes.push(time === undefined ? { name: attributeName, value: text } : { name: attributeName, value: text, time })
      this.attribute = undefined
    } else if ((name === 'object' || name === 'event') && this.entity !== undefined && this.path.length === 2) {
      const { kind, id, type, time, line, attributes, relations } = this.entity
      const location = { file: this.file, line, element: `<${kind} id="${id}">` }
      this.pending.push(
        kind === 'event'
          ? { kind, record: { id, type, time, attributes, relations, location } }
          : { kind, record: { id, type, attributes, relations, location } },
      )
      this.entity = undefined
    } else if (name === 'objects' && this.path.length === 1) {
      this.pending.push({ kind: 'objects-end' })
    }
  }
}
