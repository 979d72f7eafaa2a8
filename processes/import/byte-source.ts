// Reads a log file as a stream, unpacking gzip when the magic bytes say so (not the name:
// `.xes.gz` files are sometimes plain, `.xes` ones sometimes packed), and counts the bytes
// read from disk for the progress bar. Nothing here holds more than a chunk at a time.
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { pipeline, type Duplex, type Readable, Transform } from 'node:stream'
import { constants, createGunzip, gunzipSync } from 'node:zlib'
import { EventLogError } from './event-log-error.ts'
import type { ReadProgress } from './read-options.ts'

const CHUNK_BYTES = 64 * 1024

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

/** The first bytes of the file, and of its content when it is gzip (for format detection). */
export async function readHead(path: string, bytes = CHUNK_BYTES): Promise<{ raw: Buffer; content: Buffer }> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new EventLogError('bad-options', { file: path }, `cannot open: ${(error as Error).message}`, { cause: error })
  }
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    const raw = buffer.subarray(0, bytesRead)
    if (!isGzip(raw)) return { raw, content: raw }
    try {
      // A sync flush decompresses a prefix without complaining that the stream stops early.
      return { raw, content: gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }) }
    } catch (error) {
      throw new EventLogError('malformed', { file: path }, `is not valid gzip: ${(error as Error).message}`, { cause: error })
    }
  } finally {
    await handle.close()
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size
}

/**
 * The file's content as a stream (unpacked when `gzip`), piped through `stages` (a CSV
 * parser, say). `onBytes` hears the count of bytes read from disk after every chunk.
 * Errors of any stage surface on the returned stream, tagged with the file name.
 */
export function openContentStream(path: string, gzip: boolean, onBytes: (bytesRead: number) => void, ...stages: Duplex[]): Readable {
  let bytesRead = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length
      onBytes(bytesRead)
      done(null, chunk)
    },
  })
  const unpack: Duplex[] = gzip ? [createGunzip()] : []
  const tail: Readable = stages.at(-1) ?? unpack.at(-1) ?? counter
  // pipeline destroys every stage on error or early exit; the error then rejects the reader.
  pipeline([createReadStream(path, { highWaterMark: CHUNK_BYTES }), counter, ...unpack, ...stages], () => undefined)
  return tail
}

/** Progress in bytes, reported for every chunk read from disk; passes scale a multi-pass read. */
export function byteProgress(report: (progress: ReadProgress) => void, totalBytes: number, pass = 0, passes = 1): (bytesRead: number) => void {
  return (bytesRead) => report({ done: pass * totalBytes + bytesRead, total: passes * totalBytes, unit: 'bytes' })
}

/** A gzip or I/O failure as an EventLogError; our own errors pass through. */
export function streamError(file: string, error: unknown): Error {
  if (error instanceof EventLogError) return error
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new EventLogError('malformed', { file }, `gzip content is truncated or corrupt (${(error as Error).message})`, { cause: error })
  }
  return error instanceof Error ? error : new Error(String(error))
}
