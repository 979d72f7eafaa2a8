// Reads an XES log (plain or gzip) as a stream of ImportedEvents, one trace at a time: the
// trace's concept:name is the case id, its other attributes travel on each event as
// `case:<name>`, and concept:name, time:timestamp, lifecycle:transition and org:resource
// fill the named fields. Memory holds the trace being read, never the log.
import { byteProgress, fileSize, openContentStream } from './byte-source.ts'
import { contentDigest, OccurrenceCounter } from './event-id.ts'
import { EventLogError } from './event-log-error.ts'
import { type ImportedEvent, lifecycleOf } from './imported-event.ts'
import type { ReadContext } from './read-options.ts'
import { parseTimestamp } from './timestamp.ts'
import { canonicalValue, valueTypeNamed } from './typed-value.ts'
import { type XesAttribute, type XesAttributes, XesLogAssembler, type XesTrace } from './xes-log.ts'
import { readXmlRecords } from './xml-stream.ts'

const ACTIVITY = 'concept:name'
const TIMESTAMP = 'time:timestamp'
const TRANSITION = 'lifecycle:transition'
const RESOURCE = 'org:resource'

function elementOf(name: string, attribute: XesAttribute): string {
  return `<${attribute.type} key="${name}">`
}

export async function* readXes(context: ReadContext): AsyncGenerator<ImportedEvent> {
  const pending: ImportedEvent[] = []
  // Identical events can only share a case, and a case is one trace: count per trace.
  const occurrences = new OccurrenceCounter(Number.MAX_SAFE_INTEGER)
  const assembler = new XesLogAssembler(context.file, (trace) => {
    occurrences.clear()
    pending.push(...traceEvents(context, trace, occurrences))
  })
  const content = openContentStream(context.path, context.gzip, byteProgress(context.progress, await fileSize(context.path)))
  yield* readXmlRecords(context.file, content, assembler, () => pending.splice(0))
}

function traceEvents(context: ReadContext, trace: XesTrace, occurrences: OccurrenceCounter): ImportedEvent[] {
  const caseId = trace.attributes.get(ACTIVITY)?.value
  if (caseId === undefined) {
    throw new EventLogError(
      'malformed',
      { file: context.file, line: trace.line, element: '<trace>' },
      `has no ${ACTIVITY} attribute, so its events have no case id`,
    )
  }
  const caseAttributes = textAttributes(context, trace.attributes, 'case:', new Set([ACTIVITY]))
  return trace.events.map((event) => {
    const location = (name: string, attribute?: XesAttribute) => ({
      file: context.file,
      line: attribute?.line ?? event.line,
      element: attribute ? elementOf(name, attribute) : '<event>',
    })
    const activity = event.attributes.get(ACTIVITY)
    if (activity === undefined) throw new EventLogError('malformed', location(ACTIVITY), `has no ${ACTIVITY} attribute (the activity)`)
    const time = event.attributes.get(TIMESTAMP)
    if (time === undefined) throw new EventLogError('malformed', location(TIMESTAMP), `has no ${TIMESTAMP} attribute`)
    // Some exporters write the timestamp as a <string>; the same reading applies.
    const timestampNs = parseTimestamp(time.value, context.timeZone)
    if (typeof timestampNs === 'string') throw new EventLogError('malformed', location(TIMESTAMP, time), `"${time.value}" is not a valid date: ${timestampNs}`)
    const transition = event.attributes.get(TRANSITION)?.value
    const resource = event.attributes.get(RESOURCE)?.value
    const digest = contentDigest({
      namespace: context.eventIdNamespace,
      keyType: context.caseKeyType,
      caseId,
      activity: activity.value,
      timestampNs,
      transition: transition ?? '',
      resource,
    })
    const imported: ImportedEvent = {
      eventId: occurrences.eventId(digest),
      activity: activity.value,
      timestampNs,
      lifecycle: lifecycleOf(transition),
      keys: { [context.caseKeyType]: caseId },
      objects: [{ type: context.caseKeyType, keyType: context.caseKeyType, id: caseId }],
      attributes: { ...caseAttributes, ...textAttributes(context, event.attributes, '', new Set([ACTIVITY, TIMESTAMP, RESOURCE])) },
    }
    return resource === undefined ? imported : { ...imported, resource }
  })
}

function textAttributes(context: ReadContext, attributes: XesAttributes, prefix: string, named: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, attribute] of attributes) {
    if (named.has(name)) continue
    const text = canonicalValue(valueTypeNamed(attribute.type), attribute.value, context.timeZone)
    if (typeof text !== 'string') {
      throw new EventLogError('malformed', { file: context.file, line: attribute.line, element: elementOf(name, attribute) }, text.invalid)
    }
    out[`${prefix}${name}`] = text
  }
  return out
}
