// Business keys (order_id -> "O1") identify the instance a record belongs to; the deriver
// links every record that shares one. BusinessKeys is a frozen record that only
// businessKeys() can make, so every key type on the wire has passed the same check.

import { type Attributes } from '@opentelemetry/api'
import { businessKeyAttribute } from '../core/semconv.ts'
import { checkText, describe, fieldError } from './field-checks.ts'

/** Key types are attribute-name suffixes and column values (`order_id=O1`): lower snake case only. */
export const KEY_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/

// The limits of POST /v1/events (collector/events/business-event-schema.ts), so an event is
// accepted or refused alike whichever route it takes.
export const MAX_KEYS = 32
export const MAX_KEY_TYPE_LENGTH = 64
export const MAX_KEY_VALUE_LENGTH = 512

declare const businessKeysBrand: unique symbol

/** A validated, frozen map key type -> key value. Build it with `businessKeys()`. */
export type BusinessKeys = { readonly [keyType: string]: string } & { readonly [businessKeysBrand]: true }

/** What the SDK functions accept: already validated keys, or a plain record they validate. */
export type BusinessKeysInput = BusinessKeys | Readonly<Record<string, string>>

// Remembering what we validated lets plain-JS callers pass look-alike objects without
// skipping the check: only objects built here are trusted as BusinessKeys.
const validated = new WeakSet<object>()

const isValidated = (value: BusinessKeysInput): value is BusinessKeys => validated.has(value)

export const isKeyType = (value: string): boolean => KEY_TYPE_PATTERN.test(value) && value.length <= MAX_KEY_TYPE_LENGTH

/**
 * Validates `record` and returns it as BusinessKeys. `field` names the argument in the
 * TypeError (e.g. `keys.Order-Id`), so the caller sees which key is wrong.
 */
export const businessKeys = (record: BusinessKeysInput, field = 'keys'): BusinessKeys => {
  if (isValidated(record)) return record
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw fieldError(field, `must be an object of key type -> value, got ${describe(record)}`)
  }
  const entries = Object.entries(record)
  if (entries.length > MAX_KEYS) throw fieldError(field, `holds ${entries.length} keys, at most ${MAX_KEYS} are allowed`)
  const copy: Record<string, string> = {}
  for (const [keyType, value] of entries) {
    if (!KEY_TYPE_PATTERN.test(keyType)) {
      throw fieldError(`${field}.${keyType}`, `is not a valid key type: it must match ${String(KEY_TYPE_PATTERN)}`)
    }
    if (keyType.length > MAX_KEY_TYPE_LENGTH) throw fieldError(`${field}.${keyType}`, `is longer than ${MAX_KEY_TYPE_LENGTH} characters`)
    const checked = checkText(`${field}.${keyType}`, value)
    if (checked.length > MAX_KEY_VALUE_LENGTH) throw fieldError(`${field}.${keyType}`, `is longer than ${MAX_KEY_VALUE_LENGTH} characters`)
    copy[keyType] = checked
  }
  Object.freeze(copy)
  validated.add(copy)
  if (!isValidated(copy)) throw new Error('unreachable: a just-validated record is not recognised')
  return copy
}

export const keyCount = (keys: BusinessKeys): number => Object.keys(keys).length

/** `{order_id: "O1"}` -> `{"business.key.order_id": "O1"}` */
export const businessKeyAttributes = (keys: BusinessKeys): Attributes => {
  const attributes: Attributes = {}
  for (const [keyType, value] of Object.entries(keys)) attributes[businessKeyAttribute(keyType)] = value
  return attributes
}
