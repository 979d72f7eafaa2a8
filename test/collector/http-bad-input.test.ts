// The collector answers bad input with a clear 4xx (a google.rpc.Status whose message starts
// with the TL_ code of docs/errors.md), never crashes, and never loses the good records that
// came in the same request. One collector for the whole file (one chDB per process), with
// limits small enough for every case: 200 kB bodies, 8 attributes, 64-byte values.
import { randomBytes } from 'node:crypto'
import { deflateSync, gzipSync, zstdCompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../store/index.ts'
import { spanBatches } from '../support/otlp-requests.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

let running: RunningCollector
beforeAll(async () => {
  running = await startCollector({
    collector: { maxBodyBytes: 200_000, maxAttributesPerRecord: 8, maxAttributeValueBytes: 64 },
    spool: { segmentMaxAgeMs: 50 },
  })
})
afterAll(async () => {
  await running.close()
})

// ---------------------------------------------------------------------------------------
// Requests

const PROTOBUF = 'application/x-protobuf'
const JSON_TYPE = 'application/json'

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${running.url}${path}`, { method: 'POST', headers, body })
}

/** A trace id made of one repeated hex digit pair, e.g. traceId('ab') = 'abab...ab' (32 chars). */
const traceId = (pair: string): string => pair.repeat(16)

/** Span ids unique across the file: a prefix for the case and a number. */
const spanId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(16 - prefix.length, '0')}`

/** A start time a few seconds ago, as the decimal string OTLP/JSON uses for fixed64. */
const recentNs = (): string => String((BigInt(Date.now()) - 5_000n) * 1_000_000n)

/** 2100-01-01T00:00:00Z: far past the default one-day future skew. */
const FAR_FUTURE_NS = '4102444800000000000'

interface JsonSpanInput {
  readonly traceId?: string
  readonly spanId: string
  readonly name: string
  readonly start?: string
  readonly attributes?: readonly unknown[]
}

function jsonSpan(s: JsonSpanInput): Record<string, unknown> {
  const start = s.start ?? recentNs()
  return {
    traceId: s.traceId ?? traceId('0a'),
    spanId: s.spanId,
    name: s.name,
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start,
    attributes: s.attributes ?? [],
  }
}

function traceRequestJson(spans: readonly Record<string, unknown>[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input-test' } }] },
        scopeSpans: [{ scope: { name: 'bad-input' }, spans }],
      },
    ],
  })
}

function logsRequestJson(records: readonly Record<string, unknown>[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input-test' } }] },
        scopeLogs: [{ scope: { name: 'bad-input' }, logRecords: records }],
      },
    ],
  })
}

// A tiny protobuf writer for hand-made ExportTraceServiceRequests (field numbers from
// opentelemetry-proto: request.resource_spans=1, ResourceSpans.scope_spans=2,
// ScopeSpans.spans=2, Span.trace_id=1 span_id=2 name=5 start=7 end=8 (fixed64)).
function varint(value: number): number[] {
  const out: number[] = []
  let v = value
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}
const lengthDelimited = (field: number, bytes: readonly number[]): number[] => [(field << 3) | 2, ...varint(bytes.length), ...bytes]
function fixed64(field: number, value: bigint): number[] {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(value)
  return [(field << 3) | 1, ...b]
}

function protobufSpan(traceHex: string, spanHex: string, name: string): number[] {
  const start = BigInt(recentNs())
  return [
    ...lengthDelimited(1, [...Buffer.from(traceHex, 'hex')]),
    ...lengthDelimited(2, [...Buffer.from(spanHex, 'hex')]),
    ...lengthDelimited(5, [...Buffer.from(name, 'utf8')]),
    ...fixed64(7, start),
    ...fixed64(8, start),
  ]
}

function protobufTraceRequest(spans: readonly number[][]): Uint8Array {
  const scopeSpans = lengthDelimited(
    2,
    spans.flatMap((s) => lengthDelimited(2, s)),
  )
  return Uint8Array.from(lengthDelimited(1, scopeSpans))
}

// ---------------------------------------------------------------------------------------
// Responses

interface RpcStatus {
  readonly code: number
  readonly message: string
}

function readVarint(bytes: Buffer, at: number): [value: number, next: number] {
  let value = 0
  let shift = 0
  let pos = at
  for (;;) {
    const b = bytes[pos++]
    if (b === undefined) throw new Error(`truncated varint at ${at}`)
    value += (b & 0x7f) * 2 ** shift
    if (b < 0x80) return [value, pos]
    shift += 7
  }
}

/** google.rpc.Status in protobuf: 0x08 <grpc code> 0x12 <length> <message>, nothing else. */
function decodeStatusProtobuf(bytes: Buffer): RpcStatus {
  expect(bytes[0]).toBe(0x08)
  const [code, afterCode] = readVarint(bytes, 1)
  expect(bytes[afterCode]).toBe(0x12)
  const [length, messageStart] = readVarint(bytes, afterCode + 1)
  expect(bytes.length).toBe(messageStart + length)
  return { code, message: bytes.subarray(messageStart).toString('utf8') }
}

/** Checks an OTLP error answer: HTTP status, content type of the request's encoding, Status body. */
async function expectOtlpError(res: Response, httpStatus: number, encoding: 'protobuf' | 'json', grpcCode: number, tlCode: string): Promise<string> {
  expect(res.status).toBe(httpStatus)
  if (encoding === 'protobuf') {
    expect(res.headers.get('content-type')).toBe(PROTOBUF)
    const status = decodeStatusProtobuf(Buffer.from(await res.arrayBuffer()))
    expect(status.code).toBe(grpcCode)
    expect(status.message.startsWith(`${tlCode}: `)).toBe(true)
    return status.message
  }
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body: unknown = await res.json()
  expect(body).toEqual({ code: grpcCode, message: expect.stringMatching(new RegExp(`^${tlCode}: `)), details: [] })
  const message: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'message') : undefined
  return String(message)
}

// ---------------------------------------------------------------------------------------
// Store and metrics

async function countSpans(spanIds: readonly string[]): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    running.store,
    'SELECT count() AS n FROM otel_traces WHERE SpanId IN {ids:Array(String)}',
    { ids: spanIds },
    { tag: 'test.count-spans' },
  )
  return Number(row?.n ?? 0)
}

async function countLogs(bodies: readonly string[]): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    running.store,
    'SELECT count() AS n FROM otel_logs WHERE Body IN {bodies:Array(String)}',
    { bodies },
    { tag: 'test.count-logs' },
  )
  return Number(row?.n ?? 0)
}

async function waitForSpans(spanIds: readonly string[], expected: number): Promise<number> {
  const deadline = Date.now() + 20_000
  for (;;) {
    await running.collector.pipeline.flush()
    const n = await countSpans(spanIds)
    if (n >= expected || Date.now() > deadline) return n
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function waitForLogs(bodies: readonly string[], expected: number): Promise<number> {
  const deadline = Date.now() + 20_000
  for (;;) {
    await running.collector.pipeline.flush()
    const n = await countLogs(bodies)
    if (n >= expected || Date.now() > deadline) return n
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Waits until the spool is empty, so a count of 0 means "not stored", not "not yet". */
async function settle(): Promise<void> {
  const deadline = Date.now() + 20_000
  await running.collector.pipeline.flush()
  while (running.collector.pipeline.spooledBytes > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    await running.collector.pipeline.flush()
  }
}

interface StoredSpan {
  TraceId: string
  SpanId: string
  SpanKind: string
  StatusCode: string
  SpanAttributes: Record<string, string>
}

async function storedSpan(id: string): Promise<StoredSpan> {
  expect(await waitForSpans([id], 1)).toBe(1)
  const [row] = await queryRows<StoredSpan>(
    running.store,
    'SELECT TraceId, SpanId, SpanKind, StatusCode, SpanAttributes FROM otel_traces WHERE SpanId = {id:String}',
    { id },
    { tag: 'test.span' },
  )
  if (row === undefined) throw new Error(`span ${id} not stored`)
  return row
}

/** One sample of /metrics, e.g. metric('throughline_collector_dropped_attributes_total', { signal: 'traces' }); 0 when absent. */
async function metric(name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const text = await (await fetch(`${running.url}/metrics`)).text()
  const labelText = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labelText}} `))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

// ---------------------------------------------------------------------------------------

describe('content type', () => {
  it('refuses text/plain with 415 TL_UNSUPPORTED_MEDIA_TYPE in a JSON google.rpc.Status', async () => {
    const res = await post('/v1/traces', traceRequestJson([]), { 'content-type': 'text/plain' })
    const message = await expectOtlpError(res, 415, 'json', 3, 'TL_UNSUPPORTED_MEDIA_TYPE')
    expect(message).toContain('"text/plain"')
  })

  it('refuses a body without Content-Type with 415', async () => {
    const res = await post('/v1/traces', spanBatches(1, 1)[0]!.protobuf, {})
    const message = await expectOtlpError(res, 415, 'json', 3, 'TL_UNSUPPORTED_MEDIA_TYPE')
    expect(message).toContain('(missing)')
  })

  it('accepts application/json with a charset parameter and stores the span', async () => {
    const id = spanId('c1', 1)
    const res = await post('/v1/traces', traceRequestJson([jsonSpan({ spanId: id, name: 'charset' })]), { 'content-type': 'application/json; charset=utf-8' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({})
    expect(await waitForSpans([id], 1)).toBe(1)
  })

  it('accepts application/protobuf as well as application/x-protobuf and answers in protobuf', async () => {
    const id = spanId('c2', 1)
    const res = await post('/v1/traces', protobufTraceRequest([protobufSpan(traceId('c2'), id, 'protobuf alias')]), { 'content-type': 'application/protobuf' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(PROTOBUF)
    expect((await res.arrayBuffer()).byteLength).toBe(0) // full success: an empty ExportTraceServiceResponse
    expect(await waitForSpans([id], 1)).toBe(1)
  })
})

describe('method and routes', () => {
  it('answers GET /v1/traces with 405, Allow: POST and TL_BAD_REQUEST', async () => {
    const res = await fetch(`${running.url}/v1/traces`)
    expect(res.headers.get('allow')).toBe('POST')
    const message = await expectOtlpError(res, 405, 'json', 12, 'TL_BAD_REQUEST')
    expect(message).toBe('TL_BAD_REQUEST: GET is not allowed on /v1/traces; use POST')
  })

  it('answers GET /v1/logs with 405 too, in protobuf when the request declared protobuf', async () => {
    const res = await fetch(`${running.url}/v1/logs`, { headers: { 'content-type': PROTOBUF } })
    expect(res.headers.get('allow')).toBe('POST')
    await expectOtlpError(res, 405, 'protobuf', 12, 'TL_BAD_REQUEST')
  })

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${running.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('answers an unknown route with 404 TL_NOT_FOUND in JSON', async () => {
    const res = await fetch(`${running.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': PROTOBUF }, body: new Uint8Array(0) })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ code: 'TL_NOT_FOUND', message: 'no route POST /v1/metrics' })
  })
})

describe('body size', () => {
  it('refuses a body over collector.maxBodyBytes with 413 TL_PAYLOAD_TOO_LARGE', async () => {
    const res = await post('/v1/traces', Buffer.alloc(250_000, 0x0a), { 'content-type': PROTOBUF })
    await expectOtlpError(res, 413, 'protobuf', 8, 'TL_PAYLOAD_TOO_LARGE')
  })

  it('refuses a chunked body (no Content-Length) over the limit with 413', async () => {
    const chunk = new Uint8Array(50_000).fill(0x0a)
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const init = { method: 'POST', headers: { 'content-type': PROTOBUF }, body: stream, duplex: 'half' } satisfies RequestInit & { duplex: 'half' }
    const res = await fetch(`${running.url}/v1/traces`, init)
    await expectOtlpError(res, 413, 'protobuf', 8, 'TL_PAYLOAD_TOO_LARGE')
  })

  it('refuses a small gzip body whose decompressed size is over the limit with 413 (zip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0))
    expect(bomb.length).toBeLessThan(10_000)
    const res = await post('/v1/traces', bomb, { 'content-type': PROTOBUF, 'content-encoding': 'gzip' })
    const message = await expectOtlpError(res, 413, 'protobuf', 8, 'TL_PAYLOAD_TOO_LARGE')
    expect(message).toBe('TL_PAYLOAD_TOO_LARGE: decompressed body is over the limit of 200000 bytes')
  })

  it('refuses a zstd bomb on /v1/logs with 413 too', async () => {
    const bomb = zstdCompressSync(Buffer.alloc(5_000_000, 0))
    const res = await post('/v1/logs', bomb, { 'content-type': JSON_TYPE, 'content-encoding': 'zstd' })
    await expectOtlpError(res, 413, 'json', 8, 'TL_PAYLOAD_TOO_LARGE')
  })
})

describe('content encoding', () => {
  it('accepts gzip, deflate and zstd bodies and stores every span', async () => {
    const ids = [spanId('e1', 1), spanId('e1', 2), spanId('e1', 3)]
    const bodies: Array<[string, Buffer]> = [
      ['gzip', gzipSync(Buffer.from(traceRequestJson([jsonSpan({ spanId: ids[0]!, name: 'gzip' })])))],
      ['deflate', deflateSync(Buffer.from(traceRequestJson([jsonSpan({ spanId: ids[1]!, name: 'deflate' })])))],
      ['zstd', zstdCompressSync(Buffer.from(traceRequestJson([jsonSpan({ spanId: ids[2]!, name: 'zstd' })])))],
    ]
    for (const [coding, body] of bodies) {
      const res = await post('/v1/traces', body, { 'content-type': JSON_TYPE, 'content-encoding': coding })
      expect(res.status, coding).toBe(200)
      expect(await res.json()).toEqual({})
    }
    expect(await waitForSpans(ids, 3)).toBe(3)
  })

  it('accepts a gzip protobuf body', async () => {
    const id = spanId('e2', 1)
    const res = await post('/v1/traces', gzipSync(protobufTraceRequest([protobufSpan(traceId('e2'), id, 'gzip protobuf')])), {
      'content-type': PROTOBUF,
      'content-encoding': 'gzip',
    })
    expect(res.status).toBe(200)
    expect(await waitForSpans([id], 1)).toBe(1)
  })

  it('refuses random bytes declared as gzip with 400 TL_BAD_CONTENT_ENCODING', async () => {
    const res = await post('/v1/traces', randomBytes(500), { 'content-type': PROTOBUF, 'content-encoding': 'gzip' })
    const message = await expectOtlpError(res, 400, 'protobuf', 3, 'TL_BAD_CONTENT_ENCODING')
    expect(message).toMatch(/^TL_BAD_CONTENT_ENCODING: body is not valid gzip: /)
  })

  it('refuses an unsupported encoding (br) with 400 TL_BAD_CONTENT_ENCODING', async () => {
    const res = await post('/v1/traces', traceRequestJson([]), { 'content-type': JSON_TYPE, 'content-encoding': 'br' })
    const message = await expectOtlpError(res, 400, 'json', 3, 'TL_BAD_CONTENT_ENCODING')
    expect(message).toBe('TL_BAD_CONTENT_ENCODING: Content-Encoding "br" is not supported; use gzip, deflate or zstd')
  })
})

describe('malformed payloads', () => {
  it('refuses a truncated protobuf request with 400 TL_MALFORMED_PAYLOAD naming the byte offset', async () => {
    const whole = spanBatches(1, 3)[0]!.protobuf
    const res = await post('/v1/traces', whole.subarray(0, whole.length - 7), { 'content-type': PROTOBUF })
    const message = await expectOtlpError(res, 400, 'protobuf', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toMatch(/^TL_MALFORMED_PAYLOAD: malformed_protobuf: .* at byte offset \d+$/)
  })

  it('names the exact offset of a hand-made truncated message', async () => {
    // resource_spans (tag 0x0a) declares, at offset 1, a length of 5 bytes; only 1 follows.
    const res = await post('/v1/traces', Uint8Array.from([0x0a, 0x05, 0x12]), { 'content-type': PROTOBUF })
    const message = await expectOtlpError(res, 400, 'protobuf', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toMatch(/at byte offset 1$/)
  })

  it('refuses malformed JSON with 400 TL_MALFORMED_PAYLOAD', async () => {
    const res = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': JSON_TYPE })
    const message = await expectOtlpError(res, 400, 'json', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toMatch(/^TL_MALFORMED_PAYLOAD: malformed_json: /)
  })

  it('refuses JSON of the wrong shape with 400 naming the path', async () => {
    const res = await post('/v1/logs', '{"resourceLogs": [{"scopeLogs": "not an array"}]}', { 'content-type': JSON_TYPE })
    const message = await expectOtlpError(res, 400, 'json', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toBe('TL_MALFORMED_PAYLOAD: invalid_otlp_json: resourceLogs[0].scopeLogs: expected an array, got a string')
  })

  it('refuses invalid UTF-8 in a protobuf string with 400 TL_MALFORMED_PAYLOAD', async () => {
    const id = spanId('d1', 1)
    const body = protobufTraceRequest([protobufSpan(traceId('a1'), id, 'name-X')])
    const at = Buffer.from(body).indexOf('name-X') + 5
    body[at] = 0xff // a byte that never occurs in UTF-8
    const res = await post('/v1/traces', body, { 'content-type': PROTOBUF })
    const message = await expectOtlpError(res, 400, 'protobuf', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toMatch(/^TL_MALFORMED_PAYLOAD: invalid_utf8: string field is not valid UTF-8 at byte offset \d+$/)
    await settle()
    expect(await countSpans([id])).toBe(0)
  })

  it('refuses invalid UTF-8 in a JSON body with 400 TL_MALFORMED_PAYLOAD', async () => {
    const text = Buffer.from(traceRequestJson([jsonSpan({ spanId: spanId('d2', 1), name: 'name-X' })]))
    text[text.indexOf('name-X') + 5] = 0xff
    const res = await post('/v1/traces', text, { 'content-type': JSON_TYPE })
    const message = await expectOtlpError(res, 400, 'json', 3, 'TL_MALFORMED_PAYLOAD')
    expect(message).toBe('TL_MALFORMED_PAYLOAD: invalid_utf8: JSON body is not valid UTF-8')
  })
})

describe('partial success', () => {
  it('stores the good spans of a JSON request and reports the bad ones in partialSuccess', async () => {
    const good = [spanId('f1', 1), spanId('f1', 2), spanId('f1', 3), spanId('f1', 4), spanId('f1', 5)]
    const bad = [spanId('f1', 6), 'zz00000000000000', spanId('f1', 8), spanId('f1', 9)]
    const spans = [
      jsonSpan({ spanId: good[0]!, name: 'good 1' }),
      jsonSpan({ traceId: 'abcdef', spanId: bad[0]!, name: 'short trace id' }),
      jsonSpan({ spanId: good[1]!, name: 'good 2' }),
      jsonSpan({ spanId: bad[1]!, name: 'non-hex span id' }),
      jsonSpan({ spanId: good[2]!, name: 'good 3' }),
      jsonSpan({ spanId: bad[2]!, name: 'no start', start: '0' }),
      jsonSpan({ spanId: good[3]!, name: 'good 4' }),
      jsonSpan({ spanId: bad[3]!, name: 'year 2100', start: FAR_FUTURE_NS }),
      jsonSpan({ spanId: good[4]!, name: 'good 5' }),
    ]
    const res = await post('/v1/traces', traceRequestJson(spans), { 'content-type': JSON_TYPE })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '4',
        errorMessage: expect.stringMatching(
          /^4 spans rejected \(invalid_trace_id 1, invalid_span_id 1, missing_timestamp 1, timestamp_in_future 1\); first: invalid_trace_id: span "short trace id" trace id "abcdef" is not 16 bytes of hex; invalid_span_id: span "non-hex span id" span id "zz00000000000000"/,
        ),
      },
    })
    expect(await waitForSpans(good, 5)).toBe(5)
    await settle()
    expect(await countSpans([...good, ...bad])).toBe(5)
  })

  it('stores the good log records of a JSON request and reports the bad ones in partialSuccess', async () => {
    const now = recentNs()
    const record = (body: string, extra: Record<string, unknown>): Record<string, unknown> => ({
      timeUnixNano: now,
      severityText: 'INFO',
      body: { stringValue: body },
      ...extra,
    })
    const goodBodies = ['partial-logs good 1', 'partial-logs good 2', 'partial-logs good 3']
    const badBodies = ['partial-logs bad trace id', 'partial-logs bad span id', 'partial-logs no time', 'partial-logs future']
    const records = [
      record(goodBodies[0]!, { traceId: traceId('b1'), spanId: spanId('b1', 1) }),
      record(badBodies[0]!, { traceId: 'b1b1b1b1' }),
      record(goodBodies[1]!, {}), // no trace: fine for a log record
      record(badBodies[1]!, { spanId: 'not-hex-not-hex!' }),
      record(badBodies[2]!, { timeUnixNano: '0', observedTimeUnixNano: '0' }),
      record(badBodies[3]!, { timeUnixNano: FAR_FUTURE_NS }),
      record(goodBodies[2]!, { timeUnixNano: '0', observedTimeUnixNano: now }), // observed time stands in
    ]
    const res = await post('/v1/logs', logsRequestJson(records), { 'content-type': JSON_TYPE })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '4',
        errorMessage: expect.stringMatching(
          /^4 log records rejected \(invalid_trace_id 1, invalid_span_id 1, missing_timestamp 1, timestamp_in_future 1\); first: /,
        ),
      },
    })
    expect(await waitForLogs(goodBodies, 3)).toBe(3)
    await settle()
    expect(await countLogs([...goodBodies, ...badBodies])).toBe(3)
  })

  it('answers a protobuf request with a protobuf partial_success', async () => {
    const good = [spanId('f2', 1), spanId('f2', 2)]
    const body = protobufTraceRequest([
      protobufSpan(traceId('f2'), good[0]!, 'good 1'),
      protobufSpan(traceId('f2'), '0102', 'bad'),
      protobufSpan(traceId('f2'), good[1]!, 'good 2'),
    ])
    const res = await post('/v1/traces', body, { 'content-type': PROTOBUF })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(PROTOBUF)
    const bytes = Buffer.from(await res.arrayBuffer())
    // ExportTraceServiceResponse.partial_success (1, length-delimited) {
    //   rejected_spans (1, varint) = 1, error_message (2, length-delimited) }
    expect(bytes[0]).toBe(0x0a)
    const [innerLength, innerStart] = readVarint(bytes, 1)
    expect(bytes.length).toBe(innerStart + innerLength)
    expect([bytes[innerStart], bytes[innerStart + 1], bytes[innerStart + 2]]).toEqual([0x08, 1, 0x12])
    const [messageLength, messageStart] = readVarint(bytes, innerStart + 3)
    expect(innerStart + innerLength).toBe(messageStart + messageLength)
    expect(bytes.subarray(messageStart).toString('utf8')).toBe(
      '1 span rejected (invalid_span_id 1); first: invalid_span_id: span "bad" span id "0102" is not 8 bytes of hex',
    )
    expect(await waitForSpans(good, 2)).toBe(2)
  })
})

describe('attribute limits', () => {
  it('keeps the first 8 attributes of a span and counts the dropped rest', async () => {
    const before = await metric('throughline_collector_dropped_attributes_total', { signal: 'traces' })
    const id = spanId('a1', 1)
    const attributes = Array.from({ length: 11 }, (_, i) => ({ key: `attr.${i}`, value: { stringValue: `v${i}` } }))
    const res = await post('/v1/traces', traceRequestJson([jsonSpan({ spanId: id, name: 'many attributes', attributes })]), { 'content-type': JSON_TYPE })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    const row = await storedSpan(id)
    expect(row.SpanAttributes).toEqual({
      'attr.0': 'v0',
      'attr.1': 'v1',
      'attr.2': 'v2',
      'attr.3': 'v3',
      'attr.4': 'v4',
      'attr.5': 'v5',
      'attr.6': 'v6',
      'attr.7': 'v7',
    })
    expect((await metric('throughline_collector_dropped_attributes_total', { signal: 'traces' })) - before).toBe(3)
  })

  it('truncates a value over 64 bytes at a UTF-8 character boundary and counts it', async () => {
    const before = await metric('throughline_collector_truncated_values_total', { signal: 'traces' })
    const id = spanId('a2', 1)
    // 30 x '€' (3 bytes each) = 90 bytes; byte 64 falls inside the 22nd '€', so 21 remain (63 bytes).
    const attributes = [
      { key: 'big', value: { stringValue: '€'.repeat(30) } },
      { key: 'small', value: { stringValue: 'ok' } },
    ]
    const res = await post('/v1/traces', traceRequestJson([jsonSpan({ spanId: id, name: 'huge value', attributes })]), { 'content-type': JSON_TYPE })
    expect(res.status).toBe(200)
    const row = await storedSpan(id)
    expect(row.SpanAttributes).toEqual({ big: '€€€€€€€€€€€€€€€€€€€€€', small: 'ok' })
    expect(Buffer.byteLength(row.SpanAttributes['big']!, 'utf8')).toBe(63)
    expect((await metric('throughline_collector_truncated_values_total', { signal: 'traces' })) - before).toBe(1)
  })

  it('truncates a long log body the same way', async () => {
    const before = await metric('throughline_collector_truncated_values_total', { signal: 'logs' })
    // 'log:' (4 bytes) + 40 x 'é' (2 bytes each) = 84 bytes; 64 bytes end right after the 30th 'é'.
    const res = await post('/v1/logs', logsRequestJson([{ timeUnixNano: recentNs(), body: { stringValue: `log:${'é'.repeat(40)}` } }]), {
      'content-type': JSON_TYPE,
    })
    expect(res.status).toBe(200)
    const expectedBody = 'log:éééééééééééééééééééééééééééééé'
    expect(await waitForLogs([expectedBody], 1)).toBe(1)
    expect((await metric('throughline_collector_truncated_values_total', { signal: 'logs' })) - before).toBe(1)
  })
})

describe('lenient OTLP/JSON', () => {
  it('stores upper-case ids in lower case', async () => {
    const res = await post(
      '/v1/traces',
      traceRequestJson([jsonSpan({ traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'DEADBEEF00000001', name: 'upper ids' })]),
      {
        'content-type': JSON_TYPE,
      },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    const row = await storedSpan('deadbeef00000001')
    expect(row.TraceId).toBe('abcdef0123456789abcdef0123456789')
    expect(row.SpanId).toBe('deadbeef00000001')
  })

  it('stores intValue given as a JSON string and as a JSON number alike', async () => {
    const id = spanId('b2', 1)
    const attributes = [
      { key: 'as.string', value: { intValue: '42' } },
      { key: 'as.number', value: { intValue: 42 } },
      { key: 'big.string', value: { intValue: '9223372036854775807' } },
    ]
    expect((await post('/v1/traces', traceRequestJson([jsonSpan({ spanId: id, name: 'ints', attributes })]), { 'content-type': JSON_TYPE })).status).toBe(200)
    expect((await storedSpan(id)).SpanAttributes).toEqual({ 'as.string': '42', 'as.number': '42', 'big.string': '9223372036854775807' })
  })

  it('accepts enum names, snake_case keys and unknown fields', async () => {
    const id = spanId('b3', 1)
    const start = recentNs()
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake-service' } }], futureResourceField: 1 },
          scope_spans: [
            {
              scope: { name: 'snake' },
              spans: [
                {
                  trace_id: traceId('5c'),
                  span_id: id,
                  name: 'snake and enums',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: start,
                  end_time_unix_nano: start,
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  attributes: [{ key: 'k', value: { int_value: '7' } }],
                  someUnknownField: { nested: [1, 2, 3] },
                },
              ],
              unknownScopeField: 'x',
            },
          ],
        },
      ],
      unknownTopLevel: true,
    })
    const res = await post('/v1/traces', body, { 'content-type': JSON_TYPE })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    const row = await storedSpan(id)
    expect(row).toEqual({ TraceId: traceId('5c'), SpanId: id, SpanKind: 'Client', StatusCode: 'Error', SpanAttributes: { k: '7' } })
  })
})

describe('metrics after bad input', () => {
  // Runs last: the totals are those of the cases above (hand-counted per reason).
  it('counts the rejected records by signal and reason', async () => {
    const traces = (reason: string): Promise<number> => metric('throughline_collector_rejected_records_total', { signal: 'traces', reason })
    const logs = (reason: string): Promise<number> => metric('throughline_collector_rejected_records_total', { signal: 'logs', reason })
    // JSON partial success: one span each; protobuf partial success: one more invalid_span_id.
    expect(await traces('invalid_trace_id')).toBe(1)
    expect(await traces('invalid_span_id')).toBe(2)
    expect(await traces('missing_timestamp')).toBe(1)
    expect(await traces('timestamp_in_future')).toBe(1)
    expect(await logs('invalid_trace_id')).toBe(1)
    expect(await logs('invalid_span_id')).toBe(1)
    expect(await logs('missing_timestamp')).toBe(1)
    expect(await logs('timestamp_in_future')).toBe(1)
    const text = await (await fetch(`${running.url}/metrics`)).text()
    expect(text).toContain('throughline_collector_rejected_records_total{signal="traces",reason="invalid_trace_id"} 1\n')
  })

  it('is still healthy after all of it', async () => {
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200)
  })
})
