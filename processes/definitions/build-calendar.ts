// The `calendar` section: an IANA zone, working hours per weekday (or range of weekdays),
// holidays and special days, each checked with its own field so a wrong interval names its
// line; then handed to core/calendar.ts, which does the arithmetic.
import {
  alwaysOpenCalendar,
  canonicalTimeZone,
  overlapOf,
  parseCalendarDate,
  parseWorkingInterval,
  WEEKDAYS,
  workingHoursCalendar,
  type BusinessCalendar,
  type Weekday,
  type WorkingInterval,
} from '../../core/calendar.ts'
import { type BuildContext, suggestion } from './build-context.ts'
import { ProblemCode, type FieldPath } from './problems.ts'
import type { ProcessDefinitionDocument } from './schema.ts'

type RawCalendar = NonNullable<ProcessDefinitionDocument['calendar']>

const isWeekday = (text: string): text is Weekday => WEEKDAYS.some((day) => day === text)

/** 'mon' -> [mon]; 'mon-fri' -> [mon..fri]; 'fri-mon' wraps over the weekend. */
function weekdaysOf(spec: string): Weekday[] | undefined {
  const [first, last, ...rest] = spec
    .toLowerCase()
    .split('-')
    .map((part) => part.trim())
  if (first === undefined || !isWeekday(first) || rest.length > 0) return undefined
  if (last === undefined) return [first]
  if (!isWeekday(last)) return undefined
  const days: Weekday[] = []
  for (let i = WEEKDAYS.indexOf(first); ; i = (i + 1) % 7) {
    days.push(WEEKDAYS[i]!)
    if (WEEKDAYS[i] === last) return days
  }
}

function intervals(context: BuildContext, texts: readonly string[], path: FieldPath): string[] | undefined {
  const parsed: WorkingInterval[] = []
  let ok = true
  texts.forEach((text, index) => {
    const interval = parseWorkingInterval(text)
    if (interval.ok) {
      parsed.push(interval.value)
    } else {
      context.error(ProblemCode.badCalendar, [...path, index], interval.message)
      ok = false
    }
  })
  const overlap = ok ? overlapOf(parsed) : undefined
  if (overlap !== undefined) return context.error(ProblemCode.badCalendar, path, overlap)
  return ok ? [...texts] : undefined
}

function date(context: BuildContext, text: string, path: FieldPath): string | undefined {
  const parsed = parseCalendarDate(text)
  return parsed.ok ? parsed.value : context.error(ProblemCode.badCalendar, path, parsed.message)
}

function week(context: BuildContext, raw: RawCalendar['working_hours']): Partial<Record<Weekday, string[]>> {
  // No working_hours but holidays: open around the clock except on those dates.
  if (raw === undefined) return Object.fromEntries(WEEKDAYS.map((day) => [day, ['00:00-24:00']]))
  const hours: Partial<Record<Weekday, string[]>> = {}
  const givenBy = new Map<Weekday, string>()
  for (const [spec, texts] of Object.entries(raw)) {
    const path = ['calendar', 'working_hours', spec]
    const days = weekdaysOf(spec)
    if (days === undefined) {
      context.error(ProblemCode.badCalendar, path, `'${spec}' is not a weekday (mon, tue, wed, thu, fri, sat, sun) or a range of them (mon-fri)`, 'key')
      continue
    }
    const checked = intervals(context, texts, path)
    for (const day of days) {
      const earlier = givenBy.get(day)
      if (earlier !== undefined) context.error(ProblemCode.duplicateName, path, `${day} is already given by '${earlier}'`, 'key')
      givenBy.set(day, spec)
      if (checked !== undefined) hours[day] = checked
    }
  }
  return hours
}

function timeZone(context: BuildContext, text: string): string | undefined {
  const zone = canonicalTimeZone(text)
  if (zone !== undefined) return zone
  const hint = suggestion(text, Intl.supportedValuesOf('timeZone'))
  return context.error(
    ProblemCode.badCalendar,
    ['calendar', 'timezone'],
    `'${text}' is not an IANA time zone such as Europe/Berlin, Asia/Shanghai or UTC${hint}`,
  )
}

/** The process calendar; 24x7 in UTC when the file has none, so every consumer gets one. */
export function buildCalendar(context: BuildContext, raw: RawCalendar | undefined): BusinessCalendar | undefined {
  if (raw === undefined) return alwaysOpenCalendar('UTC')
  const zone = timeZone(context, raw.timezone)
  if (raw.working_hours === undefined && raw.holidays === undefined && raw.special_days === undefined) {
    return zone === undefined ? undefined : alwaysOpenCalendar(zone)
  }
  const problemsBefore = context.problems.length
  const hours = week(context, raw.working_hours)
  const holidays = (raw.holidays ?? []).flatMap((text, index) => date(context, text, ['calendar', 'holidays', index]) ?? [])
  context.unique(raw.holidays ?? [], (index) => ['calendar', 'holidays', index], 'holiday')
  const specialDays: Record<string, string[]> = {}
  for (const [index, special] of (raw.special_days ?? []).entries()) {
    const path = ['calendar', 'special_days', index]
    const day = date(context, special.date, [...path, 'date'])
    const checked = intervals(context, special.hours, [...path, 'hours'])
    if (day === undefined || checked === undefined) continue
    if (specialDays[day] !== undefined) context.error(ProblemCode.duplicateName, [...path, 'date'], `${day} is already a special day`)
    else if (holidays.includes(day)) context.error(ProblemCode.duplicateName, [...path, 'date'], `${day} is also listed under holidays; keep one`)
    specialDays[day] = checked
  }
  if (zone === undefined || context.problems.length > problemsBefore) return undefined
  try {
    return workingHoursCalendar({ timeZone: zone, week: hours, holidays, specialDays })
  } catch (error) {
    // The week is the only thing left unchecked above: no working minute on any weekday.
    return context.error(ProblemCode.badCalendar, ['calendar', 'working_hours'], error instanceof Error ? error.message : String(error))
  }
}
