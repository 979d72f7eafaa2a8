// JSON.parse that keeps 64-bit integers exact. OTLP/JSON allows int64 fields as JSON numbers
// (the JS exporter writes intValue so, some senders nanosecond times), and past 2^53
// JSON.parse rounds them. Only text holding such a long number pays for the reviver, which
// keeps the digits as a string: every int64 field also accepts its decimal string form.

/** A JSON number of 16 or more digits: past Number.MAX_SAFE_INTEGER's precision. */
const LONG_NUMBER = /[-\d]\d{15,}(?![\d.eE])/

type ReviverContext = { readonly source?: string }

function keepLongIntegers(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
    return context.source
  }
  return value
}

export function parseJsonKeepingLongIntegers(text: string): unknown {
  return LONG_NUMBER.test(text) ? JSON.parse(text, keepLongIntegers) : JSON.parse(text)
}
