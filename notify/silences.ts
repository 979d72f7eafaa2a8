// Silences: label matchers that mute sending (not evaluation, not history) between StartsAt
// and EndsAt, stored in the silences table. Expiring one writes it again with EndsAt = now and
// a higher Version, so the latest row wins.
import { insertJsonEachRow, queryRows, type StoreConnection } from '../store/index.ts'
import { dateTimeText, nextRowVersion } from './ledger.ts'
import { matchesAll, storedMatcher, type LabelSet, type Matcher, type StoredMatcher } from './matchers.ts'

export interface Silence {
  readonly id: string
  readonly matchers: readonly StoredMatcher[]
  readonly startsAtMs: number
  readonly endsAtMs: number
  readonly createdBy: string
  readonly comment: string
}

export interface ActiveSilence extends Silence {
  readonly compiled: readonly Matcher[]
}

interface SilenceRow {
  readonly SilenceId: string
  readonly Matchers: string
  readonly startsAt: string
  readonly endsAt: string
  readonly CreatedBy: string
  readonly Comment: string
}

/** Silences in force at `nowMs`. A stored matcher that no longer compiles is skipped, never guessed at. */
export async function activeSilences(store: StoreConnection, nowMs: number): Promise<ActiveSilence[]> {
  const rows = await queryRows<SilenceRow>(
    store,
    `SELECT SilenceId, Matchers, toString(toUnixTimestamp64Milli(StartsAt)) AS startsAt, toString(toUnixTimestamp64Milli(EndsAt)) AS endsAt, CreatedBy, Comment
     FROM silences FINAL
     WHERE StartsAt <= fromUnixTimestamp64Milli({now:Int64}) AND EndsAt > fromUnixTimestamp64Milli({now:Int64})`,
    { now: String(nowMs) },
    { tag: 'notify.silences' },
  )
  return rows.flatMap((row) => {
    const matchers = JSON.parse(row.Matchers) as StoredMatcher[]
    const compiled = matchers.map(storedMatcher)
    if (compiled.some((m) => typeof m === 'string') || compiled.length === 0) return []
    return [
      {
        id: row.SilenceId,
        matchers,
        compiled: compiled.filter((m): m is Matcher => typeof m !== 'string'),
        startsAtMs: Number(row.startsAt),
        endsAtMs: Number(row.endsAt),
        createdBy: row.CreatedBy,
        comment: row.Comment,
      },
    ]
  })
}

export function silencedBy(silences: readonly ActiveSilence[], labels: LabelSet): ActiveSilence | undefined {
  return silences.find((s) => matchesAll(s.compiled, labels))
}

/** Writes a silence (new, or a new version of one with the same id, e.g. to expire it). */
export async function saveSilence(store: StoreConnection, silence: Silence): Promise<void> {
  for (const m of silence.matchers) {
    const compiled = storedMatcher(m)
    if (typeof compiled === 'string') throw new RangeError(`silence ${silence.id}: ${compiled}`)
  }
  if (silence.matchers.length === 0) throw new RangeError(`silence ${silence.id}: needs at least one matcher`)
  const row = {
    SilenceId: silence.id,
    Matchers: JSON.stringify(silence.matchers),
    StartsAt: dateTimeText(silence.startsAtMs),
    EndsAt: dateTimeText(silence.endsAtMs),
    CreatedBy: silence.createdBy,
    Comment: silence.comment,
    Version: nextRowVersion(),
  }
  await insertJsonEachRow(store, 'silences', `${JSON.stringify(row)}\n`, { tag: 'notify.silence-write' })
}
