// Marks the two ends of a data sync on their spans: the change at the source and its apply
// at the target. The deriver pairs them per (entity type, entity id) with version
// apply >= version change, which gives the source -> target sync lag (KPI K7).

import { type Attributes, type Span } from '@opentelemetry/api'
import { SyncAttr } from '../core/semconv.ts'
import { checkNonNegativeInteger, checkText, checkTime } from './field-checks.ts'

export type SyncSide = 'change' | 'apply'

export interface SyncChange {
  /** e.g. `customer`, `material`, `price_list` */
  readonly entityType: string
  readonly entityId: string
  /** Increases with every change of the entity: a change sequence number or epoch milliseconds. */
  readonly version: number
  /** When the change happened in the source system. */
  readonly sourceChangeTime: Date
}

/** At the target the source change time is optional: send it on when the payload carries it. */
export interface SyncApply extends Omit<SyncChange, 'sourceChangeTime'> {
  readonly sourceChangeTime?: Date
}

const syncAttributes = (side: SyncSide, record: SyncApply, field: string): Attributes => {
  const attributes: Attributes = {
    [SyncAttr.side]: side,
    [SyncAttr.entityType]: checkText(`${field}.entityType`, record.entityType),
    [SyncAttr.entityId]: checkText(`${field}.entityId`, record.entityId),
    [SyncAttr.entityVersion]: checkNonNegativeInteger(`${field}.version`, record.version),
  }
  if (record.sourceChangeTime !== undefined) {
    attributes[SyncAttr.sourceChangeTime] = checkTime(`${field}.sourceChangeTime`, record.sourceChangeTime)
  }
  return attributes
}

/** Stamps `span` as the source side of a sync: this entity version changed at `sourceChangeTime`. */
export const recordSyncChange = (span: Span, change: SyncChange): void => {
  // Checked here too: the type says required, but plain-JS callers can still omit it.
  checkTime('change.sourceChangeTime', change.sourceChangeTime)
  span.setAttributes(syncAttributes('change', change, 'change'))
}

/** Stamps `span` as the target side: this entity version was applied (at the span's end). */
export const recordSyncApply = (span: Span, apply: SyncApply): void => {
  span.setAttributes(syncAttributes('apply', apply, 'apply'))
}
