// An episode is named by its alert's fingerprint and the event time its impact began (the
// engine's EpisodeId is `fingerprint@startMs`). The start is accepted as RFC 3339 or as
// milliseconds since the epoch, the two forms the API and alert links show.
import { ErrorCode, ThroughlineError } from '../../core/errors.ts'

export interface EpisodeKey {
  readonly fingerprint: string
  readonly startMs: number
  readonly episodeId: string
}

const FINGERPRINT = /^[0-9a-f]{16}$/
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

const badRequest = (message: string): ThroughlineError => new ThroughlineError(ErrorCode.badRequest, message, 400)

/** Parses a time given as RFC 3339 or epoch milliseconds; throws TL_BAD_REQUEST naming `field`. */
export function parseReportTime(field: string, text: string): number {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : RFC3339.test(text) ? Date.parse(text) : Number.NaN
  if (!Number.isFinite(ms))
    throw badRequest(`${field}: expected an RFC 3339 time (2026-11-12T09:45:00Z) or milliseconds since the epoch, got ${JSON.stringify(text)}`)
  return ms
}

export function episodeKey(fingerprint: string, start: string): EpisodeKey {
  if (!FINGERPRINT.test(fingerprint)) throw badRequest(`fingerprint: expected 16 hex digits, got ${JSON.stringify(fingerprint)}`)
  const startMs = parseReportTime('start', start)
  return { fingerprint, startMs, episodeId: `${fingerprint}@${startMs}` }
}
