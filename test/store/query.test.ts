// The query wrapper and client factory: bound parameters, tags, 64-bit integers as text,
// which failures are retried (network: a bounded number of times) or classified as bad data
// for the writer, the read-only query of `throughline sql`, and embedded versus server mode.
import { createServer, type Server } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/errors.ts'
import { createStoreClient } from '../../store/client.ts'
import { migrate } from '../../store/migrations.ts'
import { clickHouseErrorCode, command, insertJsonEachRow, isDataError, isNetworkError, isRetryableStoreError, queryRows } from '../../store/query.ts'
import { runReadOnly } from '../../store/read-only-query.ts'
import { storedRowCounts } from '../../store/row-counts.ts'
import { createTestDataDir, testConfig } from './embedded-store.ts'

const dir = createTestDataDir()
const config = testConfig(dir.dataDir, { retention: { tracesDays: 0, logsDays: 0 } })
const store = createStoreClient(config)

beforeAll(async () => {
  await migrate(store, config)
})
afterAll(async () => {
  await store.close()
  dir.remove()
})

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  )

describe('queryRows', () => {
  it('binds parameters as values, so quotes and SQL in them stay text', async () => {
    const hostile = "O'Brien'); DROP TABLE otel_traces; --"
    const rows = await queryRows<{ s: string; n: string }>(
      store,
      'SELECT {s:String} AS s, {n:UInt64} AS n',
      { s: hostile, n: '18446744073709551615' },
      { tag: 'test.bind' },
    )
    expect(rows).toEqual([{ s: hostile, n: '18446744073709551615' }])
  })

  it('tags the statement for the query log', async () => {
    const rows = await queryRows<{ comment: string }>(store, "SELECT getSetting('log_comment') AS comment", {}, { tag: 'kpi.cycle-time' })
    expect(rows).toEqual([{ comment: 'throughline:kpi.cycle-time' }])
  })

  it('refuses a tag that is not a plain name', async () => {
    await expect(queryRows(store, 'SELECT 1', {}, { tag: "x' ; SET readonly=1" })).rejects.toThrow(/query tag/)
  })

  it('throws ClickHouse errors as they came, with their code', async () => {
    const err = await failure(queryRows(store, 'SELECT * FROM no_such_table', {}, { tag: 'test.unknown-table' }))
    expect(clickHouseErrorCode(err)).toBe(60) // UNKNOWN_TABLE
    expect(isNetworkError(err)).toBe(false)
  })
})

describe('error classification for the writer', () => {
  it('calls unparseable rows bad data, not worth a retry', async () => {
    const err = await failure(insertJsonEachRow(store, 'otel_traces', '{"Timestamp":"yesterday","TraceId":"a"}\n'))
    expect(clickHouseErrorCode(err)).toBeDefined()
    expect(isDataError(err)).toBe(true)
    expect(isRetryableStoreError(err)).toBe(false)
  })

  it('calls a value of the wrong type bad data', async () => {
    const err = await failure(insertJsonEachRow(store, 'otel_logs', '{"Timestamp":"1767323045.000000000","SeverityNumber":"high"}\n'))
    expect(isDataError(err)).toBe(true)
  })

  it('retries a missing table: a migration that has not run yet creates it', async () => {
    const err = await failure(insertJsonEachRow(store, 'otel_metrics', '{"x":1}\n'))
    expect(clickHouseErrorCode(err)).toBe(60)
    expect(isRetryableStoreError(err)).toBe(true)
  })

  it('retries anything that is not a ClickHouse data error', () => {
    expect(isRetryableStoreError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(isRetryableStoreError(Object.assign(new Error('Too many parts'), { code: '252', type: 'TOO_MANY_PARTS' }))).toBe(true)
    expect(isRetryableStoreError(Object.assign(new Error('Memory limit'), { code: '241', type: 'MEMORY_LIMIT_EXCEEDED' }))).toBe(true)
    expect(isRetryableStoreError(Object.assign(new Error('Cannot parse'), { code: '999', type: 'CANNOT_PARSE_SOMETHING_NEW' }))).toBe(false)
  })
})

describe('insertJsonEachRow', () => {
  it('sends nothing for an empty body', async () => {
    await insertJsonEachRow(store, 'otel_traces', '')
    expect(await storedRowCounts(store)).toEqual({ otel_traces: 0, otel_logs: 0 })
  })

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(insertJsonEachRow(store, 'otel_traces; DROP TABLE x', '{}\n')).rejects.toThrow(/table name/)
  })
})

describe('network failures', () => {
  let server: Server
  let connections = 0
  let url = ''
  beforeAll(async () => {
    // A "server" that hangs up on every connection, like a ClickHouse node restarting.
    server = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    url = `http://127.0.0.1:${address.port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('are tried three times in all, then thrown as retryable', async () => {
    const remote = createStoreClient(testConfig(dir.dataDir, { clickhouse: { url, requestTimeoutMs: 2000 } }))
    try {
      connections = 0
      const err = await failure(queryRows(remote, 'SELECT 1', {}, { tag: 'test.network' }))
      expect(isNetworkError(err)).toBe(true)
      expect(isRetryableStoreError(err)).toBe(true)
      expect(connections).toBe(3)
    } finally {
      await remote.close()
    }
  })
})

describe('runReadOnly', () => {
  it('returns the output in the asked format', async () => {
    expect(await runReadOnly(store, "SELECT 1 AS one, 'a' AS letter;", 'TSVWithNames')).toBe('one\tletter\n1\ta\n')
  })

  it("reads the configured database's tables by their plain names", async () => {
    const elsewhereConfig = testConfig(dir.dataDir, { clickhouse: { database: 'elsewhere' } })
    const elsewhere = createStoreClient(elsewhereConfig)
    try {
      await migrate(elsewhere, elsewhereConfig)
      expect(await runReadOnly(elsewhere, 'SELECT currentDatabase(), count() FROM otel_traces', 'TSV')).toBe('elsewhere\t0\n')
    } finally {
      await elsewhere.close()
    }
  })

  it('is refused a write by ClickHouse, and leaves the store writable afterwards', async () => {
    const err = await failure(runReadOnly(store, "INSERT INTO otel_logs (Timestamp, Body) VALUES (now64(9), 'x')", 'TSV'))
    expect(clickHouseErrorCode(err)).toBe(164) // READONLY
    await command(
      store,
      "INSERT INTO otel_logs (Timestamp, ServiceName, Body) VALUES (now64(9), 'after', 'still writable')",
      {},
      { tag: 'test.after-readonly' },
    )
    expect(await storedRowCounts(store)).toEqual({ otel_traces: 0, otel_logs: 1 })
  })
})

describe('createStoreClient', () => {
  it('opens embedded chDB under <dataDir>/clickhouse when no URL is set', () => {
    expect(store.mode).toBe('embedded')
    expect(store.cluster).toBeUndefined()
    expect(store.database).toBe('default')
  })

  it('opens a server client, with the cluster name, when a URL is set', async () => {
    const remote = createStoreClient(testConfig(dir.dataDir, { clickhouse: { url: 'http://127.0.0.1:1', database: 'obs', cluster: 'prod' } }))
    expect([remote.mode, remote.database, remote.cluster]).toEqual(['server', 'obs', 'prod'])
    await remote.close()
  })

  it('refuses a cluster without a server, and mutual TLS without all three files', () => {
    expect(() => createStoreClient(testConfig(dir.dataDir, { clickhouse: { cluster: 'prod' } }))).toThrow(ConfigError)
    const clientCertPath = path.join(dir.dataDir, 'client.pem')
    expect(() => createStoreClient(testConfig(dir.dataDir, { clickhouse: { url: 'https://ch:8443', clientCertPath } }))).toThrow(ConfigError)
  })
})
