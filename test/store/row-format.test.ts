// store/row-format.ts: the JSONEachRow lines the spool holds and the writer inserts. Hand-checked
// lines and parsed objects for plain and awkward rows; and, over decoded benchmark spans, the
// shared OTLP samples and generated awkward strings, byte-for-byte equality with the plain
// JSON.stringify serialiser it replaced (kept below as the reference).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { integrationSpanRequests } from '../../bench/ingest-requests.ts'
import { decodeLogsJson, decodeTracesJson, decodeTracesProtobuf, type DecodeResult, type ValidationLimits } from '../../collector/otlp/index.ts'
import { dateTime64Text, logRowJson, spanRowJson } from '../../store/row-format.ts'
import type { AttributeMap, LogRow, SpanRow } from '../../store/rows.ts'
import { sharedDataPath } from '../support/shared-data.ts'

// ---- The reference: the serialiser as it was before the fast paths, verbatim. ----

const NS_PER_SECOND = 1_000_000_000n
function referenceDateTime64Text(ns: bigint): string {
  const seconds = ns / NS_PER_SECOND
  const fraction = ns % NS_PER_SECOND
  return `${seconds}.${fraction.toString().padStart(9, '0')}`
}
const json = JSON.stringify
const mapJson = (map: AttributeMap): string => json(map)

function referenceSpanRowJson(r: SpanRow): string {
  const ev = r.events
  const ln = r.links
  return (
    `{"Timestamp":"${referenceDateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"ParentSpanId":"${r.parentSpanId}","TraceState":${json(r.traceState)},"SpanName":${json(r.spanName)},` +
    `"SpanKind":"${r.spanKind}","ServiceName":${json(r.serviceName)},"ResourceAttributes":${mapJson(r.resourceAttributes)},` +
    `"ScopeName":${json(r.scopeName)},"ScopeVersion":${json(r.scopeVersion)},"SpanAttributes":${mapJson(r.spanAttributes)},` +
    `"Duration":"${r.durationNs}","StatusCode":"${r.statusCode}","StatusMessage":${json(r.statusMessage)},` +
    `"Events.Timestamp":[${ev.map((e) => `"${referenceDateTime64Text(e.timestampNs)}"`).join(',')}],` +
    `"Events.Name":${json(ev.map((e) => e.name))},"Events.Attributes":[${ev.map((e) => mapJson(e.attributes)).join(',')}],` +
    `"Links.TraceId":${json(ln.map((l) => l.traceId))},"Links.SpanId":${json(ln.map((l) => l.spanId))},` +
    `"Links.TraceState":${json(ln.map((l) => l.traceState))},"Links.Attributes":[${ln.map((l) => mapJson(l.attributes)).join(',')}]}\n`
  )
}

function referenceLogRowJson(r: LogRow): string {
  return (
    `{"Timestamp":"${referenceDateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"TraceFlags":${r.traceFlags},"SeverityText":${json(r.severityText)},"SeverityNumber":${r.severityNumber},` +
    `"ServiceName":${json(r.serviceName)},"Body":${json(r.body)},"ResourceSchemaUrl":${json(r.resourceSchemaUrl)},` +
    `"ResourceAttributes":${mapJson(r.resourceAttributes)},"ScopeSchemaUrl":${json(r.scopeSchemaUrl)},` +
    `"ScopeName":${json(r.scopeName)},"ScopeVersion":${json(r.scopeVersion)},"ScopeAttributes":${mapJson(r.scopeAttributes)},` +
    `"LogAttributes":${mapJson(r.logAttributes)},"EventName":${json(r.eventName)}}\n`
  )
}

// ---- Rows. ----

const TRACE_ID = '5b8efff798038103d269b633813fc60c'
const SPAN_ID = 'eee19b7ec3c1b174'

function span(overrides: Partial<SpanRow> = {}): SpanRow {
  return {
    timestampNs: 1_700_000_000_000_000_001n,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: '',
    traceState: '',
    spanName: 'POST /orders',
    spanKind: 'Server',
    serviceName: 'crm-adapter',
    resourceAttributes: { 'service.name': 'crm-adapter' },
    scopeName: 'io.throughline',
    scopeVersion: '0.1.0',
    spanAttributes: { 'http.request.method': 'POST', 'retry.enabled': 'true' },
    durationNs: 1_500_000_000n,
    statusCode: 'Unset',
    statusMessage: '',
    events: [],
    links: [],
    ...overrides,
  }
}

function log(overrides: Partial<LogRow> = {}): LogRow {
  return {
    timestampNs: 1_700_000_000_123_000_000n,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: 1,
    severityText: 'INFO',
    severityNumber: 9,
    serviceName: 'erp-adapter',
    body: 'order O-1 booked',
    resourceSchemaUrl: '',
    resourceAttributes: { 'service.name': 'erp-adapter' },
    scopeSchemaUrl: '',
    scopeName: 'io.throughline',
    scopeVersion: '0.1.0',
    scopeAttributes: {},
    logAttributes: { 'business.process': 'lead_to_cash' },
    eventName: '',
    ...overrides,
  }
}

const parse = (line: string): unknown => {
  expect(line.endsWith('}\n')).toBe(true)
  expect(line.indexOf('\n')).toBe(line.length - 1)
  return JSON.parse(line)
}

/** Strings that exercise every branch of JSON string escaping. */
const AWKWARD = [
  '',
  'plain',
  'say "hi"',
  'C:\\temp\\new',
  '\\"',
  'line1\nline2\ttab\r\b\f',
  '\u0000\u0001\u001f',
  '\u007f and \u0080 and \u00ff',
  '中文',
  '😀 emoji',
  '\ud800',
  'a\udc00b',
  'ends high \ud83d',
  '\ude00 starts low',
  '\ud83d\ude00\ud83d',
  '\u2028\u2029',
  '</script>',
  'x'.repeat(10_000),
]

describe('dateTime64Text', () => {
  it('writes seconds, a point and nine fraction digits, zero-padded', () => {
    expect(dateTime64Text(1_700_000_000_000_000_001n)).toBe('1700000000.000000001')
    expect(dateTime64Text(1_700_000_000_100_000_000n)).toBe('1700000000.100000000')
    expect(dateTime64Text(1_000_000_000n)).toBe('1.000000000')
    expect(dateTime64Text(999_999_999n)).toBe('0.999999999')
    expect(dateTime64Text(5n)).toBe('0.000000005')
    expect(dateTime64Text(0n)).toBe('0.000000000')
    expect(dateTime64Text(9_223_372_036_854_775_807n)).toBe('9223372036.854775807')
    expect(dateTime64Text(18_446_744_073_709_551_615n)).toBe('18446744073.709551615')
  })

  it('agrees with division and remainder for every digit count', () => {
    for (let digits = 1; digits <= 20; digits++) {
      for (const lead of ['1', '9']) {
        const ns = BigInt(lead + '0'.repeat(digits - 1)) + BigInt(digits)
        expect(dateTime64Text(ns)).toBe(referenceDateTime64Text(ns))
        expect(dateTime64Text(ns - 1n)).toBe(referenceDateTime64Text(ns - 1n))
      }
    }
  })
})

describe('spanRowJson', () => {
  it('writes a plain ASCII span as this exact line', () => {
    expect(spanRowJson(span())).toBe(
      '{"Timestamp":"1700000000.000000001","TraceId":"5b8efff798038103d269b633813fc60c","SpanId":"eee19b7ec3c1b174",' +
        '"ParentSpanId":"","TraceState":"","SpanName":"POST /orders","SpanKind":"Server","ServiceName":"crm-adapter",' +
        '"ResourceAttributes":{"service.name":"crm-adapter"},"ScopeName":"io.throughline","ScopeVersion":"0.1.0",' +
        '"SpanAttributes":{"http.request.method":"POST","retry.enabled":"true"},"Duration":"1500000000","StatusCode":"Unset",' +
        '"StatusMessage":"","Events.Timestamp":[],"Events.Name":[],"Events.Attributes":[],"Links.TraceId":[],' +
        '"Links.SpanId":[],"Links.TraceState":[],"Links.Attributes":[]}\n',
    )
  })

  it('escapes quotes, backslashes and control characters as JSON.stringify does', () => {
    const line = spanRowJson(
      span({
        spanName: 'say "hi" \\ bye',
        statusMessage: 'line1\nline2\ttab\u0001',
        spanAttributes: { 'we"ird\\key': 'C:\\temp', 'sql.text': "SELECT 'a'\r\n" },
      }),
    )
    expect(line).toContain(String.raw`"SpanName":"say \"hi\" \\ bye"`)
    expect(line).toContain(String.raw`"StatusMessage":"line1\nline2\ttab\u0001"`)
    expect(line).toContain(String.raw`"SpanAttributes":{"we\"ird\\key":"C:\\temp","sql.text":"SELECT 'a'\r\n"}`)
    expect(parse(line)).toMatchObject({
      SpanName: 'say "hi" \\ bye',
      StatusMessage: 'line1\nline2\ttab\u0001',
      SpanAttributes: { 'we"ird\\key': 'C:\\temp', 'sql.text': "SELECT 'a'\r\n" },
    })
  })

  it('writes non-ASCII text as itself and a lone surrogate as a \\u escape', () => {
    const line = spanRowJson(
      span({
        spanName: '注文 😀',
        traceState: 'vendor=\ud800',
        spanAttributes: { 'customer.name': '中文', emoji: '😀', broken: 'a\udc00b', '\ud83d': 'high key' },
      }),
    )
    expect(line).toContain('"SpanName":"注文 😀"')
    expect(line).toContain(String.raw`"TraceState":"vendor=\ud800"`)
    expect(line).toContain(String.raw`"SpanAttributes":{"customer.name":"中文","emoji":"😀","broken":"a\udc00b","\ud83d":"high key"}`)
    expect(parse(line)).toMatchObject({
      SpanName: '注文 😀',
      TraceState: 'vendor=\ud800',
      SpanAttributes: { 'customer.name': '中文', emoji: '😀', broken: 'a\udc00b', '\ud83d': 'high key' },
    })
  })

  it('writes empty maps and strings as {} and ""', () => {
    const line = spanRowJson(span({ resourceAttributes: {}, serviceName: '', scopeName: '', scopeVersion: '', spanAttributes: {} }))
    expect(line).toContain('"ServiceName":"","ResourceAttributes":{},"ScopeName":"","ScopeVersion":"","SpanAttributes":{},')
    expect(parse(line)).toMatchObject({ ResourceAttributes: {}, SpanAttributes: {}, ServiceName: '' })
  })

  it('writes several events and links as parallel Nested arrays', () => {
    const line = spanRowJson(
      span({
        parentSpanId: 'b7ad6b7169203331',
        statusCode: 'Error',
        statusMessage: 'ERP timed out',
        events: [
          { timestampNs: 1_700_000_000_500_000_000n, name: 'exception', attributes: { 'exception.type': 'TimeoutError' } },
          { timestampNs: 5n, name: 'odd "one"', attributes: {} },
          { timestampNs: 1_700_000_001_000_000_010n, name: '', attributes: { a: '1', b: '\n' } },
        ],
        links: [
          { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: '', attributes: { 'link.kind': 'retry-of' } },
          { traceId: TRACE_ID, spanId: SPAN_ID, traceState: 'k="v"', attributes: {} },
        ],
      }),
    )
    expect(line).toContain(
      '"Duration":"1500000000","StatusCode":"Error","StatusMessage":"ERP timed out",' +
        '"Events.Timestamp":["1700000000.500000000","0.000000005","1700000001.000000010"],' +
        String.raw`"Events.Name":["exception","odd \"one\"",""],` +
        String.raw`"Events.Attributes":[{"exception.type":"TimeoutError"},{},{"a":"1","b":"\n"}],` +
        '"Links.TraceId":["0af7651916cd43dd8448eb211c80319c","5b8efff798038103d269b633813fc60c"],' +
        '"Links.SpanId":["b7ad6b7169203331","eee19b7ec3c1b174"],' +
        String.raw`"Links.TraceState":["","k=\"v\""],` +
        '"Links.Attributes":[{"link.kind":"retry-of"},{}]}\n',
    )
    expect(parse(line)).toEqual({
      Timestamp: '1700000000.000000001',
      TraceId: TRACE_ID,
      SpanId: SPAN_ID,
      ParentSpanId: 'b7ad6b7169203331',
      TraceState: '',
      SpanName: 'POST /orders',
      SpanKind: 'Server',
      ServiceName: 'crm-adapter',
      ResourceAttributes: { 'service.name': 'crm-adapter' },
      ScopeName: 'io.throughline',
      ScopeVersion: '0.1.0',
      SpanAttributes: { 'http.request.method': 'POST', 'retry.enabled': 'true' },
      Duration: '1500000000',
      StatusCode: 'Error',
      StatusMessage: 'ERP timed out',
      'Events.Timestamp': ['1700000000.500000000', '0.000000005', '1700000001.000000010'],
      'Events.Name': ['exception', 'odd "one"', ''],
      'Events.Attributes': [{ 'exception.type': 'TimeoutError' }, {}, { a: '1', b: '\n' }],
      'Links.TraceId': ['0af7651916cd43dd8448eb211c80319c', TRACE_ID],
      'Links.SpanId': ['b7ad6b7169203331', SPAN_ID],
      'Links.TraceState': ['', 'k="v"'],
      'Links.Attributes': [{ 'link.kind': 'retry-of' }, {}],
    })
  })

  it('writes only events, or only links, with the other Nested columns empty', () => {
    const onlyEvents = span({ events: [{ timestampNs: 1_000_000_000n, name: 'e', attributes: {} }] })
    const onlyLinks = span({ links: [{ traceId: TRACE_ID, spanId: SPAN_ID, traceState: '', attributes: {} }] })
    expect(parse(spanRowJson(onlyEvents))).toMatchObject({ 'Events.Timestamp': ['1.000000000'], 'Events.Name': ['e'], 'Links.TraceId': [] })
    expect(parse(spanRowJson(onlyLinks))).toMatchObject({ 'Events.Timestamp': [], 'Links.TraceId': [TRACE_ID], 'Links.Attributes': [{}] })
    expect(spanRowJson(onlyEvents)).toBe(referenceSpanRowJson(onlyEvents))
    expect(spanRowJson(onlyLinks)).toBe(referenceSpanRowJson(onlyLinks))
  })

  it('writes the largest UInt64 duration in full', () => {
    const line = spanRowJson(span({ durationNs: 18_446_744_073_709_551_615n }))
    expect(line).toContain('"Duration":"18446744073709551615"')
    expect(parse(line)).toMatchObject({ Duration: '18446744073709551615' })
  })

  it('writes a __proto__ attribute key like any other key', () => {
    const attributes: AttributeMap = {}
    Object.defineProperty(attributes, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true })
    const row = span({ spanAttributes: attributes })
    expect(spanRowJson(row)).toContain('"SpanAttributes":{"__proto__":"p"}')
    expect(spanRowJson(row)).toBe(referenceSpanRowJson(row))
  })

  it('writes each row with its own names when consecutive rows share a resource map', () => {
    const resource = { 'service.name': 'a', 'host.name': 'h1' }
    const first = span({ resourceAttributes: resource, serviceName: 'a' })
    const otherScope = span({ resourceAttributes: resource, serviceName: 'a', scopeName: 'other.scope', scopeVersion: '2' })
    const otherService = span({ resourceAttributes: resource, serviceName: 'b' })
    const otherResource = span({ resourceAttributes: { 'host.name': 'h2' }, serviceName: 'a' })
    // Each differs from `first` in one field only.
    const onlyScopeName = span({ resourceAttributes: resource, serviceName: 'a', scopeName: 'other.scope' })
    const onlyScopeVersion = span({ resourceAttributes: resource, serviceName: 'a', scopeVersion: '9.9.9' })
    const onlySameContent = span({ resourceAttributes: { ...resource }, serviceName: 'a' })
    const rows = [first, first, otherScope, otherService, first, otherResource, first, otherResource]
    rows.push(first, onlyScopeName, first, onlyScopeVersion, first, otherService, first, onlySameContent, first)
    for (const row of rows) expect(spanRowJson(row)).toBe(referenceSpanRowJson(row))
    expect(parse(spanRowJson(otherScope))).toMatchObject({ ResourceAttributes: resource, ScopeName: 'other.scope', ScopeVersion: '2' })
    expect(parse(spanRowJson(otherService))).toMatchObject({ ServiceName: 'b', ScopeName: 'io.throughline' })
    expect(parse(spanRowJson(otherResource))).toMatchObject({ ResourceAttributes: { 'host.name': 'h2' } })
  })
})

describe('logRowJson', () => {
  it('writes a plain ASCII log record as this exact line', () => {
    expect(logRowJson(log())).toBe(
      '{"Timestamp":"1700000000.123000000","TraceId":"5b8efff798038103d269b633813fc60c","SpanId":"eee19b7ec3c1b174",' +
        '"TraceFlags":1,"SeverityText":"INFO","SeverityNumber":9,"ServiceName":"erp-adapter","Body":"order O-1 booked",' +
        '"ResourceSchemaUrl":"","ResourceAttributes":{"service.name":"erp-adapter"},"ScopeSchemaUrl":"",' +
        '"ScopeName":"io.throughline","ScopeVersion":"0.1.0","ScopeAttributes":{},' +
        '"LogAttributes":{"business.process":"lead_to_cash"},"EventName":""}\n',
    )
  })

  it('escapes the body and attributes as JSON.stringify does and keeps non-ASCII text', () => {
    const row = log({
      traceId: '',
      spanId: '',
      traceFlags: 0,
      severityNumber: 0,
      severityText: '',
      body: '{"order":"O-1"}\n\tpath C:\\x \u0001 中文 😀 \ud800',
      logAttributes: { 'key "q"': '\\', 'customer.name': '中文' },
      eventName: 'business.event',
    })
    const line = logRowJson(row)
    expect(line).toContain(String.raw`"Body":"{\"order\":\"O-1\"}\n\tpath C:\\x \u0001 中文 😀 \ud800"`)
    expect(line).toContain(String.raw`"LogAttributes":{"key \"q\"":"\\","customer.name":"中文"},"EventName":"business.event"}`)
    expect(parse(line)).toEqual({
      Timestamp: '1700000000.123000000',
      TraceId: '',
      SpanId: '',
      TraceFlags: 0,
      SeverityText: '',
      SeverityNumber: 0,
      ServiceName: 'erp-adapter',
      Body: '{"order":"O-1"}\n\tpath C:\\x \u0001 中文 😀 \ud800',
      ResourceSchemaUrl: '',
      ResourceAttributes: { 'service.name': 'erp-adapter' },
      ScopeSchemaUrl: '',
      ScopeName: 'io.throughline',
      ScopeVersion: '0.1.0',
      ScopeAttributes: {},
      LogAttributes: { 'key "q"': '\\', 'customer.name': '中文' },
      EventName: 'business.event',
    })
  })

  it('writes each record with its own schema URLs and scope when consecutive records share maps', () => {
    const resource = { 'service.name': 'erp-adapter' }
    const scope = { 'scope.attr': 'x' }
    const base = log({ resourceAttributes: resource, scopeAttributes: scope })
    const rows = [
      base,
      log({ resourceAttributes: resource, scopeAttributes: scope, resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }),
      log({ resourceAttributes: resource, scopeAttributes: scope, scopeSchemaUrl: 'https://s', scopeName: 'n', scopeVersion: 'v' }),
      log({ resourceAttributes: { 'service.name': 'other' }, scopeAttributes: {} }),
      base,
      // Each differs from `base` in one field only.
      log({ resourceAttributes: resource, scopeAttributes: scope, scopeSchemaUrl: 'https://s' }),
      base,
      log({ resourceAttributes: resource, scopeAttributes: scope, scopeName: 'n' }),
      base,
      log({ resourceAttributes: resource, scopeAttributes: scope, scopeVersion: 'v' }),
      base,
      log({ resourceAttributes: resource, scopeAttributes: { 'scope.attr': 'y' } }),
      base,
      log({ resourceAttributes: { 'service.name': 'erp-adapter', extra: '1' }, scopeAttributes: scope }),
      base,
    ]
    for (const row of rows) expect(logRowJson(row)).toBe(referenceLogRowJson(row))
    expect(parse(logRowJson(rows[1] as LogRow))).toMatchObject({ ResourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0', ScopeSchemaUrl: '' })
    expect(parse(logRowJson(rows[2] as LogRow))).toMatchObject({ ScopeSchemaUrl: 'https://s', ScopeName: 'n', ScopeVersion: 'v', ScopeAttributes: scope })
  })
})

// ---- Equality with the reference. ----

const limits: ValidationLimits = {
  maxAttributesPerRecord: 128,
  maxAttributeValueBytes: 8192,
  maxFutureSkewSeconds: 86_400,
  nowNs: BigInt(Date.now()) * 1_000_000n,
}

function rowsOf<Row>(result: DecodeResult<Row>): Row[] {
  return result.ok ? result.rows : []
}

const sharedLines = (name: string): string[] =>
  readFileSync(sharedDataPath(`otlp/${name}`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')

/** A small deterministic generator, so a failure names the same strings on every run. */
function awkwardStrings(count: number): string[] {
  const units = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', '中', '\u2028', '\ud83d', '\ude00', '\ud800', '\udfff', '😀']
  let seed = 0x2545f491
  const next = (): number => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return seed >>> 0
  }
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    let s = ''
    const length = next() % 12
    for (let j = 0; j < length; j++) s += units[next() % units.length]
    out.push(s)
  }
  return out
}

function expectSameSpans(rows: readonly SpanRow[]): void {
  for (const row of rows) {
    const line = spanRowJson(row)
    const reference = referenceSpanRowJson(row)
    if (line !== reference) expect(line).toBe(reference) // one expect per row costs seconds over 20k rows
    expect(JSON.parse(line)).toEqual(JSON.parse(reference))
  }
}

function expectSameLogs(rows: readonly LogRow[]): void {
  for (const row of rows) {
    const line = logRowJson(row)
    const reference = referenceLogRowJson(row)
    if (line !== reference) expect(line).toBe(reference)
    expect(JSON.parse(line)).toEqual(JSON.parse(reference))
  }
}

describe('equality with the plain JSON.stringify serialiser', () => {
  it('writes the decoded benchmark spans byte for byte as the reference does, in order and shuffled', () => {
    const rows = integrationSpanRequests(4, 500).flatMap((body) => rowsOf(decodeTracesProtobuf(body, limits)))
    expect(rows).toHaveLength(2000)
    expectSameSpans(rows)
    // Interleave the requests' resource maps so the reused resource part keeps changing.
    const interleaved = rows.map((_, i) => rows[(i % 4) * 500 + Math.floor(i / 4)] as SpanRow)
    expectSameSpans(interleaved)
  })

  it('writes the spans and log records of the shared OTLP samples as the reference does', () => {
    const spans = [
      ...rowsOf(decodeTracesJson(readFileSync(sharedDataPath('otlp/spec-example-trace.json'), 'utf8'), limits)),
      ...['edge-traces_simple.jsonl', 'edge-traces_nulls.jsonl', 'edge-traces_large_attrs.jsonl', 'edge-traces_deep_nesting.jsonl']
        .flatMap(sharedLines)
        .flatMap((line) => rowsOf(decodeTracesJson(line, limits))),
    ]
    const logs = [
      ...rowsOf(decodeLogsJson(readFileSync(sharedDataPath('otlp/spec-example-logs.json'), 'utf8'), limits)),
      ...rowsOf(decodeLogsJson(readFileSync(sharedDataPath('otlp/spec-example-events.json'), 'utf8'), limits)),
      ...['edge-logs_simple.jsonl', 'edge-logs_nulls.jsonl', 'edge-ts_boundary_logs.jsonl']
        .flatMap(sharedLines)
        .flatMap((line) => rowsOf(decodeLogsJson(line, limits))),
    ]
    expect(spans.length).toBeGreaterThan(3)
    expect(logs.length).toBeGreaterThan(3)
    expectSameSpans(spans)
    expectSameLogs(logs)
  })

  it('writes every UTF-16 code unit, alone and inside text, as the reference does', () => {
    // Byte equality only: 65536 rows through toEqual would take seconds, and equal text parses equally.
    const differing: number[] = []
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit)
      const row = span({ spanName: c, statusMessage: `a${c}b`, spanAttributes: { k: c } })
      if (spanRowJson(row) !== referenceSpanRowJson(row)) differing.push(unit)
    }
    expect(differing).toEqual([])
  })

  it('writes awkward strings in every string field and map as the reference does', () => {
    const strings = [...AWKWARD, ...awkwardStrings(3000)]
    const spans: SpanRow[] = []
    const logs: LogRow[] = []
    for (let i = 0; i < strings.length; i++) {
      const s = strings[i] as string
      const t = strings[(i * 7 + 3) % strings.length] as string
      const map: AttributeMap = { [s]: t, [`k${i}`]: s }
      spans.push(
        span({
          traceState: s,
          spanName: t,
          serviceName: s,
          scopeName: t,
          scopeVersion: s,
          resourceAttributes: i % 3 === 0 ? map : { 'service.name': t },
          spanAttributes: map,
          statusMessage: t,
          events: i % 5 === 0 ? [{ timestampNs: BigInt(i), name: s, attributes: map }] : [],
          links: i % 7 === 0 ? [{ traceId: TRACE_ID, spanId: SPAN_ID, traceState: t, attributes: map }] : [],
        }),
      )
      logs.push(
        log({
          severityText: s,
          serviceName: t,
          body: s,
          resourceSchemaUrl: t,
          resourceAttributes: map,
          scopeSchemaUrl: s,
          scopeName: t,
          scopeVersion: s,
          scopeAttributes: i % 2 === 0 ? map : {},
          logAttributes: map,
          eventName: t,
        }),
      )
    }
    expectSameSpans(spans)
    expectSameLogs(logs)
  })
})
