// Turns a raw OTLP/HTTP request into bytes and an encoding: checks the media type (415),
// undoes Content-Encoding (gzip, deflate, zstd) with the size limit applied to the
// decompressed size (413), and refuses what cannot be decompressed (400).
import { promisify } from 'node:util'
import { gunzip, inflate, zstdDecompress } from 'node:zlib'
import { ErrorCode } from '../../core/errors.ts'
import { RequestRefusal } from './refusal.ts'

export type PayloadEncoding = 'protobuf' | 'json'

const decompressors = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  zstd: promisify(zstdDecompress),
} as const

type CompressionName = keyof typeof decompressors

const isCompressionName = (name: string): name is CompressionName => Object.hasOwn(decompressors, name)

/** application/x-protobuf | application/protobuf | application/json, parameters ignored. */
export function payloadEncoding(contentType: string | undefined): PayloadEncoding {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf'
  if (mediaType === 'application/json') return 'json'
  throw new RequestRefusal(
    415,
    ErrorCode.unsupportedMediaType,
    `Content-Type ${contentType === undefined ? '(missing)' : JSON.stringify(contentType)} is not supported; use application/x-protobuf or application/json`,
  )
}

export async function decodeContent(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
  let data = body
  // Codings are listed in the order they were applied, so undo them last to first.
  for (const coding of codings.reverse()) {
    if (!isCompressionName(coding)) {
      throw new RequestRefusal(400, ErrorCode.badEncoding, `Content-Encoding ${JSON.stringify(coding)} is not supported; use gzip, deflate or zstd`)
    }
    try {
      data = await decompressors[coding](data, { maxOutputLength: maxBytes })
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new RequestRefusal(413, ErrorCode.payloadTooLarge, `decompressed body is over the limit of ${maxBytes} bytes`)
      }
      throw new RequestRefusal(400, ErrorCode.badEncoding, `body is not valid ${coding}: ${(error as Error).message}`)
    }
  }
  return data
}
