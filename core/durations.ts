// Human durations as written in process definitions and rules ('90s', '15m', '1h30m', '3d',
// '1w', ISO 8601 'PT2H'), parsed to milliseconds and formatted back. A day is 24 hours of
// elapsed time here: working time on a business calendar is core/calendar.ts's job.

const MS_PER_UNIT = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const

type DurationUnit = keyof typeof MS_PER_UNIT

/** The outcome of parsing: callers branch on `ok` and show `message` next to the field. */
export type ParsedDuration = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string }

const EXAMPLES = "write it like '90s', '15m', '2h', '1h30m', '3d', '1w' or ISO 8601 'PT2H'"

// Words people write in YAML ('2 hours', '90 sec') mean the same as the short units.
const UNIT_WORDS: Readonly<Record<string, DurationUnit>> = {
  ms: 'ms',
  msec: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  wk: 'w',
  week: 'w',
  weeks: 'w',
}

// One '<number><unit>' part of '1h30m'; units must come largest first, each at most once,
// so '30m1h' and '1h1h' are refused rather than guessed at.
const HUMAN_PART = /(\d+(?:\.\d+)?)([a-z]+)/y
const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

const failure = (text: string, why: string): ParsedDuration => ({ ok: false, message: `'${text}' is not a duration: ${why}` })

function finish(text: string, ms: number): ParsedDuration {
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) return failure(text, 'it is too long')
  if (!Number.isInteger(ms)) return failure(text, 'it is not a whole number of milliseconds')
  return { ok: true, ms }
}

function parseIso(text: string): ParsedDuration {
  if (/^P(?:\d+(?:\.\d+)?Y|(?:\d+(?:\.\d+)?Y)?\d+(?:\.\d+)?M)/.test(text)) {
    return failure(text, 'years and months have no fixed length; use days (P30D) or weeks (P4W)')
  }
  const match = ISO.exec(text)
  if (match === null || text === 'P' || text.endsWith('T')) return failure(text, `not an ISO 8601 duration we read (PnW, PnD, PTnH, PTnM, PTnS); ${EXAMPLES}`)
  const [, weeks, days, hours, minutes, seconds] = match
  const ms =
    Number(weeks ?? 0) * MS_PER_UNIT.w +
    Number(days ?? 0) * MS_PER_UNIT.d +
    Number(hours ?? 0) * MS_PER_UNIT.h +
    Number(minutes ?? 0) * MS_PER_UNIT.m +
    Number(seconds ?? 0) * MS_PER_UNIT.s
  return finish(text, Math.round(ms * 1000) / 1000)
}

function parseHuman(text: string): ParsedDuration {
  const order: readonly DurationUnit[] = ['w', 'd', 'h', 'm', 's', 'ms']
  let position = 0
  let lastRank = -1
  let ms = 0
  const compact = text.replaceAll(' ', '').toLowerCase()
  while (position < compact.length) {
    HUMAN_PART.lastIndex = position
    const part = HUMAN_PART.exec(compact)
    const word = part?.[2] ?? ''
    const unit = Object.hasOwn(UNIT_WORDS, word) ? UNIT_WORDS[word] : undefined
    if (part === null || unit === undefined) {
      return failure(text, /^\d+(?:\.\d+)?$/.test(compact) ? `a unit is missing; ${EXAMPLES}` : EXAMPLES)
    }
    const rank = order.indexOf(unit)
    if (rank <= lastRank) return failure(text, 'units must go from largest to smallest, each once (1h30m, not 30m1h)')
    lastRank = rank
    ms += Number(part[1]) * MS_PER_UNIT[unit]
    position = HUMAN_PART.lastIndex
  }
  return finish(text, Math.round(ms * 1000) / 1000)
}

/** Parses a non-negative duration. Spaces and unit words are allowed ('1h 30m', '2 hours'). */
export function parseDuration(text: string): ParsedDuration {
  const trimmed = text.trim()
  if (trimmed === '') return failure(text, `it is empty; ${EXAMPLES}`)
  if (trimmed.startsWith('-')) return failure(text, 'durations are never negative')
  return trimmed.startsWith('P') ? parseIso(trimmed) : parseHuman(trimmed)
}

/** Like parseDuration, for values the program itself wrote: a bad one is a bug, so it throws. */
export function durationMs(text: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok) throw new RangeError(parsed.message)
  return parsed.ms
}

/**
 * Formats milliseconds in the human form parseDuration reads back: largest units first,
 * zero parts left out ('1h30m', '2d', '1s500ms', '0s'). Weeks are not used: '28d' reads
 * better than '4w' next to percentiles over 28 days.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} as a duration`)
  if (ms < 0) return `-${formatDuration(-ms)}`
  let rest = Math.round(ms)
  if (rest === 0) return '0s'
  const parts: string[] = []
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / MS_PER_UNIT[unit])
    if (count > 0) parts.push(`${count}${unit}`)
    rest -= count * MS_PER_UNIT[unit]
  }
  return parts.join('')
}
