// The names a process definition introduces, branded so a milestone name cannot be passed
// where a key type is expected. Only the checking constructors here make them; the loader
// calls them on every name it reads, so every branded name in a model has passed a check.

declare const brand: unique symbol
type Branded<T extends string> = string & { readonly [brand]: T }

/** `lead_to_cash`: the value of `business.process` on spans, logs and posted events. */
export type ProcessName = Branded<'ProcessName'>
/** `sales_order.created`: the value of `business.milestone`, or what a recogniser assigns. */
export type MilestoneName = Branded<'MilestoneName'>
/** `order_id`: the `<type>` of `business.key.<type>`. */
export type KeyType = Branded<'KeyType'>
/** `3` or `1.4.0`: tags every KPI computed under this definition. */
export type ProcessVersion = Branded<'ProcessVersion'>

export type NameCheck<T> = { readonly ok: true; readonly name: T } | { readonly ok: false; readonly message: string }

export const PROCESS_NAME_PATTERN = /^[a-z][a-z0-9_]*$/
/** As core/semconv.ts documents for `business.key.<type>` (the SDK and /v1/events check the same). */
export const KEY_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/
const MAX_NAME_LENGTH = 64
const MAX_MILESTONE_LENGTH = 200

// Names are data we control, so their checks need no type assertion: a type guard narrows.
const isProcessName = (text: string): text is ProcessName => PROCESS_NAME_PATTERN.test(text) && text.length <= MAX_NAME_LENGTH
const isKeyType = (text: string): text is KeyType => KEY_TYPE_PATTERN.test(text) && text.length <= MAX_NAME_LENGTH
// Milestones may be any printable text: imported XES and CSV logs name activities
// 'Register request'. Only what would break storage or display is refused.
const isMilestoneName = (text: string): text is MilestoneName =>
  text.length > 0 && text.length <= MAX_MILESTONE_LENGTH && text.trim() === text && !/\p{Cc}/u.test(text)

export function processName(text: string): NameCheck<ProcessName> {
  return isProcessName(text)
    ? { ok: true, name: text }
    : {
        ok: false,
        message: `'${text}' is not a process name: lower case letters, digits and _, starting with a letter, at most ${MAX_NAME_LENGTH} characters (e.g. lead_to_cash)`,
      }
}

export function keyType(text: string): NameCheck<KeyType> {
  return isKeyType(text)
    ? { ok: true, name: text }
    : {
        ok: false,
        message: `'${text}' is not a key type: lower case letters, digits and _, starting with a letter, at most ${MAX_NAME_LENGTH} characters (e.g. order_id)`,
      }
}

export function milestoneName(text: string): NameCheck<MilestoneName> {
  return isMilestoneName(text)
    ? { ok: true, name: text }
    : { ok: false, message: `'${text}' is not a milestone name: 1 to ${MAX_MILESTONE_LENGTH} characters, no control characters, no leading or trailing spaces` }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const isProcessVersion = (text: string): text is ProcessVersion => /^[1-9]\d{0,8}$/.test(text) || SEMVER.test(text)

/**
 * A version is a positive integer (3) or a semver string ('1.4.0'). YAML reads `1.2` as the
 * number 1.2, which is neither, so the message says to write the string.
 */
export function processVersion(value: number | string): NameCheck<ProcessVersion> {
  const text = String(value)
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return { ok: false, message: `${text} is neither a positive integer nor a semver string; write a whole number (3) or quote a semver ("${text}.0")` }
  }
  return isProcessVersion(text) ? { ok: true, name: text } : { ok: false, message: `'${text}' is neither a positive integer nor a semver string such as 1.4.0` }
}
