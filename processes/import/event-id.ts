// Event ids that survive a second import: derived from what the event says (not from the file
// name, its position in the file or the time of import), so storage can dedupe on them. The
// same event read from an XES file and from a CSV export of it gets the same id.
import { createHash } from 'node:crypto'

export interface EventContent {
  readonly namespace: string
  readonly keyType: string
  readonly caseId: string
  readonly activity: string
  readonly timestampNs: bigint
  readonly transition: string
  readonly resource: string | undefined
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32)
}

/** 128 bits of SHA-256 over the event's identifying content, as hex. */
export function contentDigest(content: EventContent): string {
  return digest(
    JSON.stringify([
      content.namespace,
      content.keyType,
      content.caseId,
      content.activity,
      content.timestampNs.toString(),
      content.transition.trim().toLowerCase(),
      content.resource ?? '',
    ]),
  )
}

/**
 * Counts how often the same content has occurred, so two identical events of one case (the
 * same activity at the same second, as 11_tickets has) get different ids: the first keeps
 * the digest, the n-th gets digest#n rehashed. Holds at most `capacity` recent digests, so
 * memory stays bounded on logs whose cases interleave; see docs/import.md for the edge.
 */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>()
  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  eventId(contentDigestHex: string): string {
    const previous = this.seen.get(contentDigestHex)
    const occurrence = previous === undefined ? 0 : previous + 1
    // Re-inserting moves the entry to the end, so the oldest entry is the first to go.
    this.seen.delete(contentDigestHex)
    this.seen.set(contentDigestHex, occurrence)
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next()
      if (oldest.done !== true) this.seen.delete(oldest.value)
    }
    return occurrence === 0 ? contentDigestHex : digest(`${contentDigestHex}#${occurrence}`)
  }

  clear(): void {
    this.seen.clear()
  }
}
