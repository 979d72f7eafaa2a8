// The API describes itself: OpenAPI 3.1 from the routes' own schemas, served at /docs, and
// the checked-in docs/openapi.json equals a fresh generation (run `npm run openapi` if not).
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp, openApiText } from '../../api/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('openapi', false)
  api = await buildApiApp({ store: opened.store, logger: pino({ level: 'silent' }) })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

describe('the OpenAPI document', () => {
  it('in docs/openapi.json is the one the routes generate today', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')
    expect(committed).toBe(openApiText(api))
  })

  it('describes the process KPI routes with their parameters and answers', () => {
    const doc = JSON.parse(openApiText(api)) as {
      paths: Record<string, { get: { parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> } }>
    }
    const summary = doc.paths['/api/v1/processes/{process}/cases/summary']!.get
    expect(summary.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['path:process', 'query:from', 'query:root_key', 'query:to'])
    expect(Object.keys(summary.responses).sort()).toEqual(['200', '400'])
    expect(doc.paths['/api/v1/processes/{process}/map']).toBeDefined()
  })

  it('is served as JSON at /docs/json and as a page at /docs', async () => {
    const json = await api.inject({ method: 'GET', url: '/docs/json' })
    expect(json.statusCode).toBe(200)
    expect(json.json<{ openapi: string }>().openapi).toBe('3.1.0')
    const page = await api.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
  })
})
