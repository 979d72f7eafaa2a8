// HTTP outcomes as delivery results: 2xx delivered, 429 and 5xx worth another try (after the
// server's Retry-After, in seconds or as an HTTP date), other statuses final. Network failures
// are retryable too: nothing was delivered, or the channel's idempotency covers it.
import type { DeliveryResult } from './channel.ts'

/** Retry-After in milliseconds, or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined
}

export function httpResult(status: number, retryAfter: string | null, nowMs: number, what: string): DeliveryResult {
  if (status >= 200 && status < 300) return { kind: 'success', providerRef: `HTTP ${status}` }
  if (status === 429 || status >= 500) {
    const after = retryAfterMs(retryAfter, nowMs)
    return after === undefined
      ? { kind: 'retryable', error: `${what}: HTTP ${status}` }
      : { kind: 'retryable', error: `${what}: HTTP ${status}`, retryAfterMs: after }
  }
  return { kind: 'failure', error: `${what}: HTTP ${status}` }
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
