// `throughline serve` against a ClickHouse server that is down: it still comes up, accepts
// and spools (the migrations retry in the background), says it is not ready, and keeps what
// it acknowledged on disk when stopped.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { postProtobuf, spanBatches } from '../support/otlp-requests.ts'
import { freePort, startServe } from '../support/serve-process.ts'
import { tempDir } from '../support/temp-dir.ts'

const dir = tempDir('serve-down')
afterAll(() => dir.remove())

describe('throughline serve with its ClickHouse server down', () => {
  it('accepts into the spool, reports not ready, and keeps the data through a stop', async () => {
    const deadPort = await freePort() // nothing listens there
    const serve = await startServe(dir.path, ['--clickhouse-url', `http://127.0.0.1:${deadPort}`], { waitFor: 'healthz' })
    const ready = await fetch(`${serve.otlpUrl}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ status: 'not_ready', store: 'unavailable' })

    const [batch] = spanBatches(1, 12)
    expect((await postProtobuf(serve.otlpUrl, batch!.protobuf)).status).toBe(200)

    serve.child.kill('SIGTERM')
    expect((await serve.exited()).signal).toBe('SIGTERM')
    expect(serve.output()).toContain('cannot apply migrations on the ClickHouse server yet; the collector spools meanwhile')
    expect(serve.output()).toContain('stopped with data left in the spool')
    const segments = readdirSync(join(dir.path, 'spool', 'traces')).filter((f) => f.endsWith('.seg'))
    expect(segments).toHaveLength(1)
  })
})
