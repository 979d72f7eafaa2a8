// The read-only ClickHouse HTTP interface end to end: @clickhouse/client and plain HTTP
// against a real chDB store, compared with the embedded client; formats including Native as
// clickhouse-go reads it, gzip both ways, ClickHouse's auth errors, refused writes and system
// tables, and a statement over its time limit that leaves the next one clean.
import { gunzipSync, gzipSync } from 'node:zlib'
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildClickHouseHttpApp, startClickHouseHttp } from '../../api/index.ts'
import { createLogger } from '../../core/logger.ts'
import { integrationHealth, sourceFreshness } from '../../processes/index.ts'
import { command, insertJsonEachRow, spanRowJson, type SpanRow } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let app: FastifyInstance
let url: string
let client: ClickHouseClient
const USER = 'grafana'
const PASSWORD = 's3cret'
// Three integration calls an hour ago: two from the CRM adapter (one failed), one from the ERP.
const HOUR_AGO_NS = BigInt(Date.now() - 3_600_000) * 1_000_000n
const span = (spanId: string, serviceName: string, statusCode: SpanRow['statusCode'], offsetMs: number): SpanRow => ({
  timestampNs: HOUR_AGO_NS + BigInt(offsetMs) * 1_000_000n,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId,
  parentSpanId: '',
  traceState: '',
  spanName: 'POST /orders',
  spanKind: 'Client',
  serviceName,
  resourceAttributes: { 'service.name': serviceName },
  scopeName: 'test',
  scopeVersion: '',
  spanAttributes: { 'integration.name': 'crm-to-erp', 'integration.source.system': 'CRM', 'integration.target.system': 'ERP' },
  durationNs: 250_000_000n,
  statusCode,
  statusMessage: '',
  events: [],
  links: [],
})
const SPANS = [
  span('b7ad6b7169203331', 'crm-adapter', 'Ok', 0),
  span('b7ad6b7169203332', 'crm-adapter', 'Error', 1_000),
  span('b7ad6b7169203333', 'erp-adapter', 'Ok', 2_000),
]
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`

beforeAll(async () => {
  opened = await openMigratedStore('clickhouse-http')
  const { store } = opened
  await command(store, 'CREATE TABLE http_probe (id UInt64, name String) ENGINE = MergeTree ORDER BY id', {}, { tag: 'test.create' })
  await command(store, "INSERT INTO http_probe VALUES (1, 'a'), (2, 'b'), (3, 'it''s\\ttab')", {}, { tag: 'test.insert' })
  await insertJsonEachRow(store, 'otel_traces', SPANS.map(spanRowJson).join(''))
  app = await buildClickHouseHttpApp({
    store,
    logger: createLogger({ logLevel: 'silent' }),
    users: [{ name: USER, password: PASSWORD }],
    limits: { maxExecutionTimeSeconds: 30, maxMemoryUsageBytes: 1024 ** 3 },
    maxConcurrentQueries: 2,
  })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  client = createClient({ url, username: USER, password: PASSWORD })
}, 60_000)

afterAll(async () => {
  await client.close()
  await app.close()
  await opened.close()
})

async function post(sql: string, search = '', headers: Record<string, string> = { authorization: basic }): Promise<Response> {
  return fetch(`${url}/?${search}`, { method: 'POST', body: sql, headers })
}

describe('ClickHouse HTTP interface', () => {
  it('answers /ping and a GET with the statement in the URL', async () => {
    expect(await (await fetch(`${url}/ping`)).text()).toBe('Ok.\n')
    const response = await fetch(`${url}/?query=${encodeURIComponent('SELECT 1')}`, { headers: { authorization: basic } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('1\n')
    expect(response.headers.get('x-clickhouse-format')).toBe('TabSeparated')
    expect(response.headers.get('x-clickhouse-query-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(JSON.parse(response.headers.get('x-clickhouse-summary') ?? '{}')).toHaveProperty('elapsed_ns')
  }, 30_000)

  it('gives @clickhouse/client the same rows with bound parameters as the embedded client', async () => {
    const sql = 'SELECT id, name FROM http_probe WHERE id >= {min:UInt64} AND name != {skip:String} ORDER BY id'
    const query_params = { min: 2, skip: "it's\tnot" }
    const over = await (await client.query({ query: sql, query_params, format: 'JSONEachRow' })).json()
    const embedded = await (await opened.store.client.query({ query: sql, query_params, format: 'JSONEachRow' })).json()
    // Rows 2 and 3 by hand: ids >= 2, neither name equal to the skipped one; UInt64 as strings.
    expect(over).toEqual([
      { id: '2', name: 'b' },
      { id: '3', name: "it's\ttab" },
    ])
    expect(over).toEqual(embedded)
  }, 30_000)

  it('runs the KPI functions over the interface with the same answers as on the embedded store', async () => {
    const overHttp = { client }
    const now = new Date()
    const freshness = await sourceFreshness(overHttp, { now })
    expect(freshness).toEqual(await sourceFreshness(opened.store, { now }))
    // By hand: services crm-adapter and erp-adapter, integration source CRM; the last CRM span
    // ended 1 s + 250 ms after the first one started.
    expect(freshness.map((f) => `${f.kind}:${f.system}`)).toEqual(['integration_source:CRM', 'service:crm-adapter', 'service:erp-adapter'])
    const lastCrm = new Date(Number((HOUR_AGO_NS + 1_250_000_000n) / 1_000_000n)).toISOString()
    expect(freshness.find((f) => f.system === 'crm-adapter')?.lastSeen).toBe(lastCrm)
    const scope = { fromNs: HOUR_AGO_NS - 1n, toNs: HOUR_AGO_NS + 3_600_000_000_000n, now }
    const health = await integrationHealth(overHttp, scope)
    expect(health).toEqual(await integrationHealth(opened.store, scope))
    expect(health.length).toBeGreaterThan(0)
  }, 30_000)

  it('binds string, array and null parameters as a ClickHouse server does', async () => {
    const rows = await (
      await client.query({
        query: 'SELECT {s:String} AS s, {arr:Array(String)} AS arr, {n:Nullable(String)} AS n',
        query_params: { s: "a'b\\c\td", arr: ["x'y", 'back\\slash'], n: null },
        format: 'JSONEachRow',
      })
    ).json()
    expect(rows).toEqual([{ s: "a'b\\c\td", arr: ["x'y", 'back\\slash'], n: null }])
  }, 30_000)

  it('answers in JSON, TabSeparated and CSV', async () => {
    const json = await (await post('SELECT id, name FROM http_probe WHERE id = 1 FORMAT JSON')).json()
    expect(json).toMatchObject({
      meta: [
        { name: 'id', type: 'UInt64' },
        { name: 'name', type: 'String' },
      ],
      data: [{ id: '1', name: 'a' }],
      rows: 1,
    })
    const tsv = await post('SELECT id, name FROM http_probe ORDER BY id', 'default_format=TabSeparatedWithNames')
    expect(tsv.headers.get('x-clickhouse-format')).toBe('TabSeparatedWithNames')
    // TSV escapes the quote and the tab inside row 3's name as \' and \t.
    expect(await tsv.text()).toBe("id\tname\n1\ta\n2\tb\n3\tit\\'s\\ttab\n")
    const csv = await post('SELECT id, name FROM http_probe WHERE id < 3 ORDER BY id FORMAT CSV')
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(await csv.text()).toBe('1,"a"\n2,"b"\n')
  }, 30_000)

  it('writes Native as chDB does, and framed for the protocol revision clickhouse-go sends', async () => {
    const sql = "SELECT toUInt64(7) AS a, 'xy' AS b"
    const plain = Buffer.from(await (await post(sql, 'default_format=Native')).arrayBuffer())
    const engine = Buffer.from(await (await opened.store.client.exec({ query: `${sql} FORMAT Native` })).stream.toArray().then((c) => Buffer.concat(c)))
    expect(plain.equals(engine)).toBe(true)
    // By hand: 2 columns, 1 row; "a" "UInt64" then 7 as 8 little-endian bytes; "b" "String" then "xy".
    const a = Buffer.concat([Buffer.from([1]), Buffer.from('a'), Buffer.from([6]), Buffer.from('UInt64'), Buffer.from([7, 0, 0, 0, 0, 0, 0, 0])])
    const b = Buffer.concat([Buffer.from([1]), Buffer.from('b'), Buffer.from([6]), Buffer.from('String'), Buffer.from([2]), Buffer.from('xy')])
    expect(plain.equals(Buffer.concat([Buffer.from([2, 1]), a, b]))).toBe(true)
    // Revision 54460: BlockInfo (field 1 false, field 2 bucket -1, end) first and a 0 flag after each type.
    const framed = Buffer.from(await (await post(sql, 'default_format=Native&client_protocol_version=54460')).arrayBuffer())
    const blockInfo = Buffer.from([1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0])
    const flagged = (column: Buffer, typeEnd: number): Buffer => Buffer.concat([column.subarray(0, typeEnd), Buffer.from([0]), column.subarray(typeEnd)])
    expect(framed.equals(Buffer.concat([blockInfo, Buffer.from([2, 1]), flagged(a, 9), flagged(b, 9)]))).toBe(true)
  }, 30_000)

  it('frames Native with Map, LowCardinality, Nullable and Array columns', async () => {
    const sql = "SELECT map(toLowCardinality('k'), 'v') AS m, toLowCardinality('z') AS l, [1, 2]::Array(UInt8) AS arr, CAST(NULL, 'Nullable(String)') AS n"
    const plain = Buffer.from(await (await post(sql, 'default_format=Native')).arrayBuffer())
    const framed = Buffer.from(await (await post(sql, 'default_format=Native&client_protocol_version=54460')).arrayBuffer())
    // Four columns: 8 bytes of BlockInfo and one flag byte each, the data itself unchanged.
    expect(framed.length).toBe(plain.length + 8 + 4)
    // The last column, Nullable(String) NULL: its flag 0, then null map 1 and an empty string 0.
    expect([...plain.subarray(plain.length - 2)]).toEqual([1, 0])
    expect([...framed.subarray(framed.length - 3)]).toEqual([0, 1, 0])
    expect([...framed.subarray(0, 8)]).toEqual([1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0])
  }, 30_000)

  it('frames Native for every column type of otel_traces', async () => {
    const sql = 'SELECT * FROM otel_traces ORDER BY SpanId'
    const plain = Buffer.from(await (await post(sql, 'default_format=Native')).arrayBuffer())
    const framed = Buffer.from(await (await post(sql, 'default_format=Native&client_protocol_version=54460')).arrayBuffer())
    // Three rows make one block: its BlockInfo (8 bytes) and one flag per column (the first byte).
    const columns = plain[0]!
    expect(columns).toBeGreaterThan(20)
    expect(framed.length).toBe(plain.length + 8 + columns)
  }, 30_000)

  it('caps memory per statement', async () => {
    const response = await post('SELECT groupArray(number) FROM numbers(10000000)', 'max_memory_usage=10000000')
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('241')
    expect(await response.text()).toContain('(MEMORY_LIMIT_EXCEEDED)')
  }, 30_000)

  it('takes gzip bodies and gzips answers when asked, as @clickhouse/client does', async () => {
    const response = await fetch(`${url}/?enable_http_compression=1`, {
      method: 'POST',
      body: gzipSync('SELECT name FROM http_probe WHERE id = 2'),
      headers: { authorization: basic, 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
    })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    // fetch decodes gzip itself; the raw check below proves the bytes were gzip.
    expect(await response.text()).toBe('b\n')
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(`${url}/?enable_http_compression=1&query=SELECT%202`, { headers: { authorization: basic, 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve(Buffer.concat(chunks)))
        })
        req.on('error', reject)
        req.end()
      }, reject)
    })
    expect(gunzipSync(raw).toString()).toBe('2\n')
    const compressed = createClient({ url, username: USER, password: PASSWORD, compression: { request: true, response: true } })
    try {
      expect(await (await compressed.query({ query: 'SELECT count() AS n FROM http_probe', format: 'JSONEachRow' })).json()).toEqual([{ n: '3' }])
    } finally {
      await compressed.close()
    }
  }, 30_000)

  it('refuses requests without credentials (401, 194) and with wrong ones (403, 516)', async () => {
    const none = await post('SELECT 1', '', {})
    expect(none.status).toBe(401)
    expect(none.headers.get('x-clickhouse-exception-code')).toBe('194')
    const wrong = await post('SELECT 1', '', { 'x-clickhouse-user': USER, 'x-clickhouse-key': 'nope' })
    expect(wrong.status).toBe(403)
    expect(wrong.headers.get('x-clickhouse-exception-code')).toBe('516')
    expect(await wrong.text()).toMatch(/^Code: 516\. DB::Exception: grafana: Authentication failed: .*\(AUTHENTICATION_FAILED\) \(version [\d.]+\)\n$/)
    const viaParams = await fetch(`${url}/?user=${USER}&password=${PASSWORD}&query=SELECT%203`)
    expect(await viaParams.text()).toBe('3\n')
    const bad = createClient({ url, username: USER, password: 'wrong', log: { level: ClickHouseLogLevel.OFF } })
    try {
      await expect(bad.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' })
    } finally {
      await bad.close()
    }
  }, 30_000)

  it.each([
    ["INSERT INTO http_probe VALUES (9, 'z')", 164],
    ['CREATE TABLE evil (x UInt8) ENGINE = Memory', 164],
    ['DROP TABLE http_probe', 164],
    ['SET readonly = 0', 164],
    ['SELECT name FROM system.users', 497],
    ['SELECT 1 FROM numbers(1) WHERE 1 IN system.users', 497],
    ["SELECT * FROM file('/etc/hostname', 'LineAsString')", 497],
    ["SELECT * FROM url('http://127.0.0.1:1/', 'CSV')", 497],
    ["SELECT 1 INTO OUTFILE '/tmp/throughline-evil'", 164],
    ['SELECT 1; SELECT 2', 62],
  ])(
    'refuses %s with a ClickHouse error',
    async (sql, code) => {
      const response = await post(sql)
      expect(response.headers.get('x-clickhouse-exception-code')).toBe(String(code))
      expect(response.status).toBe(code === 497 ? 403 : code === 62 ? 400 : 500)
      expect(await response.text()).toMatch(new RegExp(`^Code: ${code}\\. DB::Exception: `))
    },
    30_000,
  )

  it('refuses raising the readonly setting through the URL, and reads the allowed system tables', async () => {
    const raised = await post('SELECT 1', 'readonly=0')
    expect(raised.headers.get('x-clickhouse-exception-code')).toBe('164')
    const tables = await (await post("SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'http_probe'")).text()
    expect(tables).toBe('http_probe\n')
    expect(await (await post('SHOW TABLES')).text()).toContain('http_probe\n')
    expect(await (await post('DESC TABLE http_probe FORMAT TSV')).text()).toMatch(/^id\tUInt64\t/)
    const hello = await (await post('SELECT displayName(), version(), revision(), timezone() FORMAT JSONEachRow')).json()
    expect(hello).toHaveProperty('revision()')
  }, 30_000)

  it('is started by serve on the embedded store when enabled, with the configured password', async () => {
    const logger = createLogger({ logLevel: 'silent' })
    const settings = { ...opened.config.clickhouseHttp, password: 'fixed' }
    expect(
      await startClickHouseHttp({ host: '127.0.0.1', clickhouseHttpPort: 0, clickhouseHttp: { ...settings, enabled: false } }, opened.store, logger),
    ).toBeUndefined()
    const running = await startClickHouseHttp({ host: '127.0.0.1', clickhouseHttpPort: 0, clickhouseHttp: settings }, opened.store, logger)
    try {
      const response = await fetch(`${running?.url}/?query=SELECT%205`, { headers: { 'x-clickhouse-user': settings.user, 'x-clickhouse-key': 'fixed' } })
      expect(await response.text()).toBe('5\n')
      // A second one on the same port gives way instead of failing serve.
      const port = Number(new URL(running?.url ?? '').port)
      expect(await startClickHouseHttp({ host: '127.0.0.1', clickhouseHttpPort: port, clickhouseHttp: settings }, opened.store, logger)).toBeUndefined()
    } finally {
      await running?.app.close()
    }
  }, 30_000)

  it('stops a statement over its time limit and answers the next with its own rows only', async () => {
    const slow = await post('SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 7', 'max_execution_time=1')
    expect(slow.status).toBe(408)
    expect(slow.headers.get('x-clickhouse-exception-code')).toBe('159')
    expect(await (await post('SELECT 42')).text()).toBe('42\n')
  }, 60_000)
})
