// Time zones: a zone's offset at an instant, and the UTC instant of a wall-clock reading. The
// business calendars and the event-log importers (logs that write local times without an
// offset: OCEL 2.0 XML and SQLite, many CSV exports) share this one implementation.

/** A named IANA zone (`Europe/Berlin`) or a fixed offset (`+01:00`, `UTC`). */
export interface TimeZone {
  readonly name: string
  /** The zone's offset from UTC in milliseconds at a UTC instant. */
  offsetMsAt(utcMs: number): number
}

const fixedOffset = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/

function fixedZone(name: string, offsetMs: number): TimeZone {
  return { name, offsetMsAt: () => offsetMs }
}

function namedZone(name: string): TimeZone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  // Imports revisit the same minutes again and again (every event of a case lies close
  // together), and formatToParts is the slow part: remember recent minutes.
  const cache = new Map<number, number>()
  return {
    name,
    offsetMsAt(utcMs: number): number {
      const minute = Math.floor(utcMs / 60_000)
      const known = cache.get(minute)
      if (known !== undefined) return known
      const fields: Record<string, number> = {}
      let bc = false
      for (const part of format.formatToParts(new Date(minute * 60_000))) {
        if (part.type === 'era') bc = part.value.startsWith('B')
        else if (part.type !== 'literal') fields[part.type] = Number(part.value)
      }
      const wall = new Date(0)
      wall.setUTCFullYear(bc ? 1 - (fields.year ?? 0) : (fields.year ?? 1970), (fields.month ?? 1) - 1, fields.day ?? 1)
      wall.setUTCHours(fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0, 0)
      const offset = wall.getTime() - minute * 60_000
      if (cache.size >= 4096) cache.clear()
      cache.set(minute, offset)
      return offset
    },
  }
}

export const utc: TimeZone = fixedZone('UTC', 0)

/** The zone called `name`, or a message saying why it is not one. */
export function timeZoneNamed(name: string): TimeZone | string {
  if (name === 'UTC' || name === 'Z' || name === 'GMT') return utc
  const fixed = fixedOffset.exec(name)
  if (fixed) {
    const [, sign, hours = '0', minutes = '0'] = fixed
    if (Number(hours) > 23 || Number(minutes) > 59) return `"${name}" is not a valid UTC offset`
    return fixedZone(name, (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000)
  }
  try {
    return namedZone(name)
  } catch {
    return `"${name}" is not a time zone: use an IANA name such as Europe/Berlin, or an offset such as +01:00`
  }
}

const day = 86_400_000

/**
 * The UTC instant of a wall-clock reading (given as if it were UTC). Like Temporal's
 * 'compatible' rule: a reading that occurs twice (clocks go back) is the earlier instant, one
 * that never occurs (clocks go forward) is moved forward by the gap.
 */
export function wallTimeToUtcMs(wallAsUtcMs: number, zone: TimeZone): number {
  const before = zone.offsetMsAt(wallAsUtcMs - day)
  const after = zone.offsetMsAt(wallAsUtcMs + day)
  // No offset change within a day either side (nearly always): the answer is unambiguous.
  if (before === after) return wallAsUtcMs - before
  const candidates = [wallAsUtcMs - before, wallAsUtcMs - after].filter((utcMs) => wallAsUtcMs - zone.offsetMsAt(utcMs) === utcMs)
  if (candidates.length > 0) return Math.min(...candidates)
  return wallAsUtcMs - before
}
