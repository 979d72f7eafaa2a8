// Carries business keys across hops in W3C baggage (`business.key.order_id=O1`), so a
// service that only sees a message or an HTTP call can still stamp the order's keys on
// its spans. Baggage reaches every downstream hop: keys only, never personal data.

import { context, propagation, type Context } from '@opentelemetry/api'
import { BusinessAttr, businessKeyAttribute } from '../core/semconv.ts'
import { businessKeys, isKeyType, MAX_KEY_VALUE_LENGTH, MAX_KEYS, type BusinessKeys, type BusinessKeysInput } from './business-keys.ts'

/** Returns `parent` with the keys added to its baggage; other baggage entries are kept. */
export const contextWithBusinessKeys = (parent: Context, keys: BusinessKeysInput): Context => {
  const checked = businessKeys(keys)
  let baggage = propagation.getBaggage(parent) ?? propagation.createBaggage()
  for (const [keyType, value] of Object.entries(checked)) {
    baggage = baggage.setEntry(businessKeyAttribute(keyType), { value })
  }
  return propagation.setBaggage(parent, baggage)
}

/**
 * Runs `fn` in a context whose baggage carries the keys; propagators then send them on
 * every outgoing call made inside `fn`. Returns what `fn` returns (a promise stays one).
 */
export const withBusinessKeys = <T>(keys: BusinessKeysInput, fn: () => T): T => context.with(contextWithBusinessKeys(context.active(), keys), fn)

/**
 * The business keys in the baggage of `ctx` (default: the active context). Baggage comes
 * from another process, so entries that are not well-formed keys are skipped, not thrown:
 * a bad upstream must not break this service.
 */
export const businessKeysFromBaggage = (ctx: Context = context.active()): BusinessKeys => {
  const found: Record<string, string> = {}
  const baggage = propagation.getBaggage(ctx)
  if (baggage !== undefined) {
    for (const [name, entry] of baggage.getAllEntries()) {
      if (!name.startsWith(BusinessAttr.keyPrefix)) continue
      const keyType = name.slice(BusinessAttr.keyPrefix.length)
      const usable = isKeyType(keyType) && entry.value.trim() !== '' && entry.value.length <= MAX_KEY_VALUE_LENGTH
      if (usable && Object.keys(found).length < MAX_KEYS) found[keyType] = entry.value
    }
  }
  return businessKeys(found)
}
