// Byte ranges of a request body to strings, as fast as Node allows: its native slicers, and a
// cache that hands back the same string for attribute keys seen before. Used by wire-reader.ts;
// UTF-8 validity is checked there, before anything is cached.

/**
 * Node's Buffer has had these native slicers since its first releases; Buffer#toString calls
 * them after argument checks that cost a few percent of the decoder's time. Used when present.
 */
export interface TextSlices {
  utf8Slice(start: number, end: number): string
  hexSlice(start: number, end: number): string
  base64Slice(start: number, end: number): string
}

function hasNativeSlices(buf: Buffer): buf is Buffer & TextSlices {
  return ['utf8Slice', 'hexSlice', 'base64Slice'].every((name) => typeof Reflect.get(buf, name) === 'function')
}

function portableSlices(buf: Buffer): TextSlices {
  return {
    utf8Slice: (start, end) => buf.toString('utf8', start, end),
    hexSlice: (start, end) => buf.toString('hex', start, end),
    base64Slice: (start, end) => buf.toString('base64', start, end),
  }
}

/**
 * Attribute keys repeat from span to span. Returning the same string for the same bytes skips
 * a native string creation, and V8 finds an already-internalized property key faster. The
 * cache is direct-mapped by a hash of a few of the bytes and checked byte for byte on a hit.
 */
const KEY_CACHE_SLOTS = 1024
const MAX_CACHED_KEY_BYTES = 96
const cachedKeyBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(KEY_CACHE_SLOTS).fill(undefined)
const cachedKeyText: string[] = new Array<string>(KEY_CACHE_SLOTS).fill('')

export function nativeOrPortableSlices(buf: Buffer): TextSlices {
  return hasNativeSlices(buf) ? buf : portableSlices(buf)
}

function slotOf(buf: Buffer, start: number, end: number): number {
  const length = end - start
  // Sampling a few bytes keeps the hash O(1); the full comparison in cachedKey keeps it exact.
  let hash = Math.imul(length, 0x9e3779b1) ^ (buf[start] as number)
  hash = Math.imul(hash ^ (buf[end - 1] as number), 0x01000193)
  hash = Math.imul(hash ^ (buf[start + (length >> 1)] as number), 0x01000193)
  hash = Math.imul(hash ^ (buf[start + (length >> 2)] as number), 0x01000193)
  hash = Math.imul(hash ^ (buf[end - 1 - (length >> 2)] as number), 0x01000193)
  return (hash ^ (hash >>> 15)) & (KEY_CACHE_SLOTS - 1)
}

/** The string cached for exactly these bytes, if any. */
export function cachedKey(buf: Buffer, start: number, end: number): string | undefined {
  const length = end - start
  if (length === 0 || length > MAX_CACHED_KEY_BYTES) return undefined
  const slot = slotOf(buf, start, end)
  const cached = cachedKeyBytes[slot]
  if (cached === undefined || cached.length !== length) return undefined
  for (let i = 0; i < length; i++) if (cached[i] !== buf[start + i]) return undefined
  return cachedKeyText[slot]
}

/** Remembers `text` as the string for these (already validated) bytes, evicting the slot's last key. */
export function rememberKey(buf: Buffer, start: number, end: number, text: string): void {
  const length = end - start
  if (length === 0 || length > MAX_CACHED_KEY_BYTES) return
  const slot = slotOf(buf, start, end)
  cachedKeyBytes[slot] = new Uint8Array(buf.subarray(start, end))
  cachedKeyText[slot] = text
}
