// Checks for the values integration code hands to the SDK. Each failure is a TypeError
// whose message starts with the field's name, so a wrong call is fixed from the message
// alone; the values end up as stored columns, where a typo is much harder to find.

export const fieldError = (field: string, problem: string): TypeError => new TypeError(`${field} ${problem}`)

export const checkText = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') throw fieldError(field, `must be a non-empty string, got ${describe(value)}`)
  return value
}

export const checkPositiveInteger = (field: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw fieldError(field, `must be an integer >= 1, got ${describe(value)}`)
  }
  return value
}

export const checkNonNegativeInteger = (field: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw fieldError(field, `must be an integer >= 0, got ${describe(value)}`)
  }
  return value
}

export const checkFiniteNumber = (field: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw fieldError(field, `must be a finite number, got ${describe(value)}`)
  return value
}

const CURRENCY_PATTERN = /^[A-Z]{3}$/

/** ISO 4217 alphabetic code: the rollups sum value per currency, so `eur` and `EUR` must not split. */
export const checkCurrency = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || !CURRENCY_PATTERN.test(value)) {
    throw fieldError(field, `must be an ISO 4217 code such as "EUR", got ${describe(value)}`)
  }
  return value
}

/** A valid Date, written as RFC 3339 in UTC (the form the deriver parses). */
export const checkTime = (field: string, value: unknown): string => {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw fieldError(field, `must be a valid Date, got ${describe(value)}`)
  return value.toISOString()
}

export const describe = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  return typeof value
}
