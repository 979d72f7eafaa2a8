// The XES structure as saxes reports it: which elements are traces, events and (nested,
// typed) attributes, and which to pass over (log-level attributes, globals, classifiers,
// extensions). Each finished trace goes to `onTrace` with its attributes and events.
import { EventLogError } from './event-log-error.ts'
import type { XmlHandlers } from './xml-stream.ts'

/** One attribute as written: its flattened name, XES type, value, and where it stands. */
export interface XesAttribute {
  readonly type: string
  readonly value: string
  readonly line: number
}

export type XesAttributes = Map<string, XesAttribute>

export interface XesEvent {
  readonly line: number
  readonly attributes: XesAttributes
}

export interface XesTrace {
  readonly line: number
  readonly attributes: XesAttributes
  readonly events: readonly XesEvent[]
}

const valueElements = new Set(['string', 'date', 'int', 'float', 'boolean', 'id'])
const groupElements = new Set(['list', 'container'])

type Frame =
  | { readonly kind: 'log' | 'skip' | 'values' }
  | { readonly kind: 'trace'; readonly trace: { line: number; attributes: XesAttributes; events: XesEvent[] } }
  | { readonly kind: 'event'; readonly event: XesEvent }
  | { readonly kind: 'attribute'; readonly name: string; readonly list: boolean; children: number; readonly into: XesAttributes }

export class XesLogAssembler implements XmlHandlers {
  private readonly stack: Frame[] = []
  private readonly file: string
  private readonly onTrace: (trace: XesTrace) => void

  constructor(file: string, onTrace: (trace: XesTrace) => void) {
    this.file = file
    this.onTrace = onTrace
  }

  open(name: string, attributes: Readonly<Record<string, string>>, line: number): void {
    const top = this.stack.at(-1)
    const isAttribute = valueElements.has(name) || groupElements.has(name)
    if (top === undefined) {
      if (name !== 'log')
        throw new EventLogError('malformed', { file: this.file, line, element: `<${name}>` }, 'is not an XES log: the root element must be <log>')
      this.stack.push({ kind: 'log' })
    } else if (top.kind === 'skip') {
      this.stack.push(top)
    } else if (top.kind === 'log') {
      // Log-level attributes, globals, classifiers and extensions describe the log, not events.
      this.stack.push(name === 'trace' ? { kind: 'trace', trace: { line, attributes: new Map(), events: [] } } : { kind: 'skip' })
    } else if (top.kind === 'trace' && name === 'event') {
      const event = { line, attributes: new Map() }
      top.trace.events.push(event)
      this.stack.push({ kind: 'event', event })
    } else if (isAttribute && (top.kind === 'trace' || top.kind === 'event' || top.kind === 'attribute' || top.kind === 'values')) {
      this.stack.push(this.attribute(name, attributes, line))
    } else if (name === 'values' && top.kind === 'attribute' && top.list) {
      this.stack.push({ kind: 'values' })
    } else {
      // Elements a later XES version may add: passed over with everything inside them.
      this.stack.push({ kind: 'skip' })
    }
  }

  close(): void {
    const frame = this.stack.pop()
    if (frame?.kind === 'trace') this.onTrace(frame.trace)
  }

  private attribute(element: string, attributes: Readonly<Record<string, string>>, line: number): Frame {
    const location = { file: this.file, line, element: `<${element}${attributes.key === undefined ? '' : ` key="${attributes.key}"`}>` }
    const key = attributes.key
    if (key === undefined || key === '') throw new EventLogError('malformed', location, 'has no key')
    const parent = this.parentAttribute()
    // Nested attributes flatten to parent.child; list members, whose keys repeat, to parent.index.
    const name = parent === undefined ? key : parent.list ? `${parent.name}.${parent.children++}` : `${parent.name}.${key}`
    const owner = parent?.into ?? this.owner()
    if (valueElements.has(element)) {
      const value = attributes.value
      if (value === undefined) throw new EventLogError('malformed', location, 'has no value')
      owner.set(name, { type: element, value, line })
    }
    return { kind: 'attribute', name, list: element === 'list', children: 0, into: owner }
  }

  private parentAttribute(): Extract<Frame, { kind: 'attribute' }> | undefined {
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const frame = this.stack[i]!
      if (frame.kind === 'attribute') return frame
      if (frame.kind !== 'values') return undefined
    }
    return undefined
  }

  /** The attribute map of the nearest trace or event. */
  private owner(): XesAttributes {
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const frame = this.stack[i]!
      if (frame.kind === 'event') return frame.event.attributes
      if (frame.kind === 'trace') return frame.trace.attributes
    }
    throw new Error('XES attribute outside a trace or event')
  }
}
