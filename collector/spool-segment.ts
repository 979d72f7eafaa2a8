// The on-disk frame format of one spool segment. Each accepted request's rows are one
// frame: [u32 payload length][u32 crc32 of payload][payload = JSONEachRow lines]. A frame
// cut short by a crash was never fsync'ed, so never acknowledged: replay drops it whole,
// never half a request.
import { crc32 } from 'node:zlib'

export const FRAME_HEADER_BYTES = 8

export function encodeFrame(payload: Buffer): Buffer[] {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  header.writeUInt32LE(payload.length, 0)
  header.writeUInt32LE(crc32(payload), 4)
  return [header, payload]
}

export interface DecodedSegment {
  /** The payloads of all intact frames, concatenated: the insert body. */
  readonly body: Buffer
  readonly frames: number
  readonly rows: number
  /** Bytes after the last intact frame (a torn, unacknowledged tail). */
  readonly tornTailBytes: number
}

const NEWLINE = 0x0a

function countLines(buf: Buffer): number {
  let n = 0
  let at = buf.indexOf(NEWLINE)
  while (at !== -1) {
    n++
    at = buf.indexOf(NEWLINE, at + 1)
  }
  return n
}

export function decodeSegment(file: Buffer): DecodedSegment {
  const payloads: Buffer[] = []
  let offset = 0
  let rows = 0
  while (offset + FRAME_HEADER_BYTES <= file.length) {
    const length = file.readUInt32LE(offset)
    const checksum = file.readUInt32LE(offset + 4)
    const start = offset + FRAME_HEADER_BYTES
    const end = start + length
    if (end > file.length) break
    const payload = file.subarray(start, end)
    if (crc32(payload) !== checksum) break
    payloads.push(payload)
    rows += countLines(payload)
    offset = end
  }
  return { body: Buffer.concat(payloads), frames: payloads.length, rows, tornTailBytes: file.length - offset }
}
