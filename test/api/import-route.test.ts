// POST /api/v1/processes/:process/imports: the import of `throughline import` over HTTP.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { queryRows, type StoreClient } from '../../store/index.ts'
import { sharedDataPath } from '../support/shared-data.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let store: StoreClient
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('api-import')
  store = opened.store
  api = await buildApiApp({ store, logger: pino({ level: 'silent' }), importStagingDir: `${opened.dataDir}/imports` })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

const upload = (process: string, payload: Buffer | string, query = '') =>
  api.inject({ method: 'POST', url: `/api/v1/processes/${process}/imports${query}`, headers: { 'content-type': 'application/octet-stream' }, payload })

describe('POST /api/v1/processes/:process/imports', () => {
  it('imports an uploaded XES log, and the same upload again changes nothing', async () => {
    const log = readFileSync(sharedDataPath('eventlogs/xes/running-example.xes'))
    const first = await upload('running_example', log)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ process: 'running_example', events: 42, batches: 1 })
    expect((await upload('running_example', log)).statusCode).toBe(200)
    const [row] = await queryRows<{ n: string; cases: string }>(
      store,
      "SELECT count() AS n, uniqExact(Keys['case_id']) AS cases FROM business_events WHERE Process = 'running_example'",
      {},
      { tag: 'test.api-import' },
    )
    expect(row).toEqual({ n: '42', cases: '6' })
  })

  it('takes an OCEL 2.0 JSON log sent as application/json as a stream, not as a parsed body', async () => {
    const log = readFileSync(sharedDataPath('eventlogs/ocel/ocel20_example.jsonocel'))
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/processes/ocel_example/imports',
      headers: { 'content-type': 'application/json' },
      payload: log,
    })
    expect(res.statusCode).toBe(200)
    // 13 events in ocel20_example (the same in its JSON, XML and SQLite forms).
    expect(res.json()).toMatchObject({ process: 'ocel_example', events: 13 })
  })

  it('takes the reading options as query parameters', async () => {
    const log = readFileSync(sharedDataPath('eventlogs/csv/running-example.csv'))
    const res = await upload('running_example_csv', log, '?case_key=claim_id&process_version=2')
    expect(res.statusCode).toBe(200)
    const [row] = await queryRows<{ n: string; version: string }>(
      store,
      "SELECT countIf(mapContains(Keys, 'claim_id')) AS n, any(ProcessVersion) AS version FROM business_events WHERE Process = 'running_example_csv'",
      {},
      { tag: 'test.api-import-options' },
    )
    expect(row).toEqual({ n: String(res.json<{ events: number }>().events), version: '2' })
  })

  it('refuses what is no event log with 415, a CSV it cannot map, a bad process name and a bad option with 400, and leaves no staged file', async () => {
    const garbage = await upload('running_example', Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]))
    expect(garbage.statusCode).toBe(415)
    expect(garbage.json()).toMatchObject({ code: 'TL_UNSUPPORTED_MEDIA_TYPE' })
    // Text with a comma reads as CSV, whose columns name no case: the answer says which it saw.
    const unmapped = await upload('running_example', 'just some words, not a log\n')
    expect(unmapped.statusCode).toBe(400)
    expect(unmapped.json<{ message: string }>().message).toContain('has no case column')
    const badName = await upload('Running-Example', 'x')
    expect(badName.statusCode).toBe(400)
    expect(badName.json<{ message: string }>().message).toContain('process')
    const badOption = await upload('running_example', 'x', '?case_key=Case-ID')
    expect(badOption.statusCode).toBe(400)
    expect(badOption.json<{ message: string }>().message).toContain('case_key')
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(`${opened.dataDir}/imports`)).toEqual([])
  })
})
