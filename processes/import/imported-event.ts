// The one record every event-log reader yields, whatever the file format: a business event
// as kpis.md describes it (activity = milestone, keys = business keys, business time in UTC),
// plus every object the event relates to, so object-centric logs keep their relations.

export type Lifecycle = 'start' | 'complete' | 'other'

/** An object the event relates to: the case of an XES/CSV log, or an OCEL object. */
export interface ObjectRef {
  /** The source's object type (`Purchase Order`), or null for an OCEL object the log never declared. */
  readonly type: string | null
  /** `type` as a business key type (`purchase_order`), or null with it. */
  readonly keyType: string | null
  readonly id: string
  /** The OCEL qualifier of the relation (`Created order with identifier`). */
  readonly qualifier?: string
}

export interface ImportedEvent {
  /** Stable across imports of the same content: the OCEL event id, or a content hash (event-id.ts). */
  readonly eventId: string
  readonly activity: string
  /** Business time, UTC, nanoseconds since the epoch (negative before 1970). */
  readonly timestampNs: bigint
  readonly lifecycle: Lifecycle
  /** Key type -> value: one value per key type (see `objects` for all of them). */
  readonly keys: Readonly<Record<string, string>>
  /** Every related object, sorted by key type, id and qualifier; the case for XES and CSV. */
  readonly objects: readonly ObjectRef[]
  readonly resource?: string
  /**
   * Everything else the source says about the event, as text: XES event attributes (trace
   * attributes as `case:<name>`, nested ones as `<parent>.<child>`), other CSV columns, OCEL
   * event attributes. The raw lifecycle transition is kept as `lifecycle:transition`.
   */
  readonly attributes: Readonly<Record<string, string>>
}

/** An OCEL object with its attribute history and its object-to-object relations. */
export interface ImportedObject {
  readonly id: string
  readonly type: string
  readonly keyType: string
  /** Attribute values with the instant each took effect (the epoch for initial values). */
  readonly attributes: ReadonlyArray<{ readonly name: string; readonly value: string; readonly timestampNs: bigint }>
  readonly relations: ReadonlyArray<{ readonly id: string; readonly qualifier?: string }>
}

/** The XES lifecycle standard's names; anything else (schedule, suspend, In Progress) is 'other'. */
export function lifecycleOf(transition: string | undefined): Lifecycle {
  const normalized = transition?.trim().toLowerCase() ?? ''
  // No transition means an atomic event, which XES tools read as a completion.
  if (normalized === '' || normalized === 'complete') return 'complete'
  return normalized === 'start' ? 'start' : 'other'
}

// The business-key type pattern of the events API (collector/events/business-event-schema.ts),
// so imported and posted events can meet in one instance.
export { KEY_TYPE_PATTERN } from '../../core/semconv.ts'

/** An OCEL object type as a key type: `Purchase Order` -> `purchase_order`, `3PL` -> `t_3pl`. */
export function keyTypeOfObjectType(objectType: string): string {
  const words = objectType
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  const keyType = /^[a-z]/.test(words) ? words : `t_${words}`
  return keyType.slice(0, 64)
}
