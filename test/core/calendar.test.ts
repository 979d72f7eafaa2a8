// Business calendars: working time between instants and deadlines, by hand. All instants
// are written in UTC with the local time beside them: Berlin is UTC+1 (CET) until
// 2026-03-29 02:00 and from 2026-10-25 03:00, UTC+2 (CEST) between; Shanghai is UTC+8 always.
import { describe, expect, it } from 'vitest'
import {
  addBusinessTime,
  alwaysOpenCalendar,
  businessDurationMs,
  wallClockToInstant,
  workingHoursCalendar,
  workingPeriodsBetween,
  zoneOffsetMs,
} from '../../core/calendar.ts'

const HOUR = 3_600_000
const at = (iso: string): Date => new Date(iso)
const office = ['08:00-18:00']
const berlin = (holidays: string[] = []) =>
  workingHoursCalendar({ timeZone: 'Europe/Berlin', week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays })
const shanghaiOffice = ['09:00-12:00', '13:00-18:00']
const shanghai = workingHoursCalendar({
  timeZone: 'Asia/Shanghai',
  week: { mon: shanghaiOffice, tue: shanghaiOffice, wed: shanghaiOffice, thu: shanghaiOffice, fri: shanghaiOffice },
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  specialDays: { '2026-02-28': shanghaiOffice },
})

describe('addBusinessTime on Mon-Fri 08:00-18:00', () => {
  it('puts the deadline of a step at Fri 17:00 with a 2-business-hour SLA at Mon 09:00', () => {
    // Fri 2026-03-06 17:00 CET = 16:00Z; 1 h on Friday, 1 h from Monday 08:00.
    expect(addBusinessTime(berlin(), at('2026-03-06T16:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-03-09T08:00:00.000Z')
    expect(businessDurationMs(berlin(), at('2026-03-06T16:00:00Z'), at('2026-03-09T08:00:00Z'))).toBe(2 * HOUR)
  })

  it('keeps a deadline that ends exactly at closing time on that day', () => {
    expect(addBusinessTime(berlin(), at('2026-03-06T16:00:00Z'), HOUR).toISOString()).toBe('2026-03-06T17:00:00.000Z')
  })

  it('skips holidays: Thu 17:00 + 12 h over Good Friday and Easter Monday is Wed 09:00', () => {
    // Thu 2026-04-02 17:00 CEST = 15:00Z: 1 h Thu; Fri 3rd holiday; weekend; Mon 6th holiday;
    // Tue 7th 10 h; Wed 8th 08:00 + 1 h = 09:00 CEST = 07:00Z.
    const easter = berlin(['2026-04-03', '2026-04-06'])
    expect(addBusinessTime(easter, at('2026-04-02T15:00:00Z'), 12 * HOUR).toISOString()).toBe('2026-04-08T07:00:00.000Z')
    expect(businessDurationMs(easter, at('2026-04-02T15:00:00Z'), at('2026-04-08T07:00:00Z'))).toBe(12 * HOUR)
    // Without the holidays the same 12 h end on Mon 6th at 09:00 CEST.
    expect(addBusinessTime(berlin(), at('2026-04-02T15:00:00Z'), 12 * HOUR).toISOString()).toBe('2026-04-06T07:00:00.000Z')
  })

  it('starts the clock at the next opening when the step happens outside hours', () => {
    // Sat 2026-03-07 10:00 CET + 30 min -> Mon 08:30 CET = 07:30Z.
    expect(addBusinessTime(berlin(), at('2026-03-07T09:00:00Z'), 30 * 60_000).toISOString()).toBe('2026-03-09T07:30:00.000Z')
    // Tue 06:00 CET + 1 h -> Tue 09:00 CET.
    expect(addBusinessTime(berlin(), at('2026-03-10T05:00:00Z'), HOUR).toISOString()).toBe('2026-03-10T08:00:00.000Z')
    // Mon 19:00 -> Tue 07:00 holds no working time.
    expect(businessDurationMs(berlin(), at('2026-03-09T18:00:00Z'), at('2026-03-10T06:00:00Z'))).toBe(0)
  })

  it('counts a full working week as 50 hours', () => {
    expect(businessDurationMs(berlin(), at('2026-03-09T00:00:00Z'), at('2026-03-16T00:00:00Z'))).toBe(50 * HOUR)
  })

  it('answers the negative sum for reversed arguments and zero for equal ones', () => {
    expect(businessDurationMs(berlin(), at('2026-03-09T08:00:00Z'), at('2026-03-06T16:00:00Z'))).toBe(-2 * HOUR)
    expect(businessDurationMs(berlin(), at('2026-03-09T08:00:00Z'), at('2026-03-09T08:00:00Z'))).toBe(0)
    expect(addBusinessTime(berlin(), at('2026-03-07T09:00:00Z'), 0).toISOString()).toBe('2026-03-07T09:00:00.000Z')
  })
})

describe('business calendars across DST in Europe/Berlin', () => {
  it('follows local working hours over the spring change: Fri 17:00 CET + 2 h is Mon 09:00 CEST', () => {
    // Fri 2026-03-27 17:00 CET = 16:00Z; Mon 2026-03-30 09:00 CEST = 07:00Z: 63 h elapsed, not 64.
    expect(addBusinessTime(berlin(), at('2026-03-27T16:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-03-30T07:00:00.000Z')
  })

  it('counts 23 working hours on the spring Sunday and 25 on the autumn one when open all day', () => {
    const sundays = workingHoursCalendar({ timeZone: 'Europe/Berlin', week: { sun: ['00:00-24:00'] } })
    expect(businessDurationMs(sundays, at('2026-03-28T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toBe(23 * HOUR)
    expect(businessDurationMs(sundays, at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'))).toBe(25 * HOUR)
  })

  it('counts a 01:00-04:00 night shift as 2 h in spring and 4 h in autumn', () => {
    const nights = workingHoursCalendar({ timeZone: 'Europe/Berlin', week: { sun: ['01:00-04:00'] } })
    expect(businessDurationMs(nights, at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'))).toBe(2 * HOUR)
    expect(businessDurationMs(nights, at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(4 * HOUR)
    // The autumn shift runs 01:00 CEST (23:00Z) to 04:00 CET (03:00Z); 3 h in is 03:00 CET = 02:00Z.
    expect(addBusinessTime(nights, at('2026-10-24T12:00:00Z'), 3 * HOUR).toISOString()).toBe('2026-10-25T02:00:00.000Z')
  })

  it('maps a wall-clock time in the spring gap later, and a repeated autumn time to its first occurrence', () => {
    expect(new Date(wallClockToInstant('Europe/Berlin', Date.UTC(2026, 2, 29, 2, 30))).toISOString()).toBe('2026-03-29T01:30:00.000Z')
    expect(new Date(wallClockToInstant('Europe/Berlin', Date.UTC(2026, 9, 25, 2, 30))).toISOString()).toBe('2026-10-25T00:30:00.000Z')
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2026-03-29T00:59:59Z'))).toBe(HOUR)
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2026-03-29T01:00:00Z'))).toBe(2 * HOUR)
  })
})

describe('business calendars in Asia/Shanghai', () => {
  it('skips the lunch break: Thu 11:30 + 1 h is 13:30', () => {
    // Thu 2026-03-05 11:30 CST = 03:30Z -> 13:30 CST = 05:30Z.
    expect(addBusinessTime(shanghai, at('2026-03-05T03:30:00Z'), HOUR).toISOString()).toBe('2026-03-05T05:30:00.000Z')
  })

  it('skips the National Day holidays: Wed 30 Sep 17:00 + 2 h is Thu 8 Oct 10:00', () => {
    // 1 h on Sep 30; Oct 1-2 holidays, 3-4 weekend, 5-7 holidays; Oct 8 09:00 + 1 h = 10:00 CST = 02:00Z.
    expect(addBusinessTime(shanghai, at('2026-09-30T09:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-10-08T02:00:00.000Z')
  })

  it('works a make-up Saturday given as a special day: Fri 27 Feb 17:00 + 2 h is Sat 28 Feb 10:00', () => {
    expect(addBusinessTime(shanghai, at('2026-02-27T09:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-02-28T02:00:00.000Z')
  })

  it('has no DST: 24x7 time over the Berlin change dates is plain elapsed time', () => {
    const allDay = alwaysOpenCalendar('Asia/Shanghai')
    expect(businessDurationMs(allDay, at('2026-03-28T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toBe(96 * HOUR)
    expect(addBusinessTime(allDay, at('2026-03-28T00:00:00Z'), 5 * HOUR).toISOString()).toBe('2026-03-28T05:00:00.000Z')
  })
})

describe('calendar construction and periods', () => {
  it('lists the working periods between two instants, clipped to them', () => {
    expect(workingPeriodsBetween(berlin(), at('2026-03-06T16:30:00Z'), at('2026-03-09T09:00:00Z'))).toEqual([
      [Date.parse('2026-03-06T16:30:00Z'), Date.parse('2026-03-06T17:00:00Z')],
      [Date.parse('2026-03-09T07:00:00Z'), Date.parse('2026-03-09T09:00:00Z')],
    ])
  })

  it('refuses an unknown zone, overlapping intervals, a bad date and a week without working time', () => {
    expect(() => workingHoursCalendar({ timeZone: 'Europe/Berln', week: { mon: office } })).toThrow(/unknown time zone 'Europe\/Berln'/)
    expect(() => workingHoursCalendar({ timeZone: 'UTC', week: { mon: ['08:00-12:00', '11:00-13:00'] } })).toThrow(/mon: 11:00-13:00 overlaps/)
    expect(() => workingHoursCalendar({ timeZone: 'UTC', week: { mon: ['18:00-08:00'] } })).toThrow(/ends before it starts/)
    expect(() => workingHoursCalendar({ timeZone: 'UTC', week: { mon: office }, holidays: ['2026-02-30'] })).toThrow(/not a date/)
    expect(() => workingHoursCalendar({ timeZone: 'UTC', week: {} })).toThrow(/at least one weekday/)
  })

  it('canonicalises the zone name and freezes the calendar', () => {
    const calendar = workingHoursCalendar({ timeZone: 'europe/berlin', week: { mon: office } })
    expect(calendar.timeZone).toBe('Europe/Berlin')
    expect(Object.isFrozen(calendar)).toBe(true)
  })
})
