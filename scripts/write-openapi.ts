// npm run openapi: writes docs/openapi.json from the API's route schemas (checked in; the
// test test/api/openapi.test.ts fails when it is stale). Needs no data: an empty temporary store.
import { writeFileSync } from 'node:fs'
import { pino } from 'pino'
import { buildApiApp, openApiText } from '../api/index.ts'
import { resolveConfig } from '../core/config.ts'
import { createStoreClient } from '../store/index.ts'
import { tempDir } from '../test/support/temp-dir.ts'

const dir = tempDir('openapi')
const store = createStoreClient(resolveConfig({ dataDir: dir.path }))
const app = await buildApiApp({ store, logger: pino({ level: 'silent' }) })
writeFileSync(new URL('../docs/openapi.json', import.meta.url), openApiText(app))
await app.close()
await store.close()
dir.remove()
console.log('wrote docs/openapi.json')
