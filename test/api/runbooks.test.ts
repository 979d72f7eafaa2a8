// The shipped runbooks through the API: listed, one as structure and as the HTML page an
// alert's runbook link opens, 404 for an unknown one.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { loadRunbooks } from '../../triage/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('api_runbooks')
  const load = await loadRunbooks('runbooks')
  if (!load.ok) throw new Error('the shipped runbooks must load')
  api = await buildApiApp({ store: opened.store, logger: pino({ level: 'silent' }), runbooks: load.runbooks })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

describe('GET /api/v1/runbooks', () => {
  it('lists the shipped lead-to-cash runbooks with their owner, and the built-in SourceLate one', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/v1/runbooks' })
    const body = res.json<{ runbooks: Array<{ id: string; owner: string }> }>()
    const leadToCash = body.runbooks.filter((r) => r.id.startsWith('l2c-'))
    expect(leadToCash.map((r) => r.id).sort()).toEqual([
      'l2c-erp-latency',
      'l2c-integration-errors',
      'l2c-missing-step',
      'l2c-sla-at-risk',
      'l2c-source-silent',
      'l2c-stuck-orders',
      'l2c-sync-lag',
    ])
    expect(leadToCash.every((r) => r.owner === 'order-to-cash')).toBe(true)
    expect(body.runbooks.find((r) => r.id === 'source-late')).toMatchObject({ owner: 'platform' })
  })

  it('renders one as structure with its steps, and as an HTML page', async () => {
    const json = await api.inject({ method: 'GET', url: '/api/v1/runbooks/l2c-stuck-orders' })
    expect(json.statusCode).toBe(200)
    const body = json.json<{ id: string; sections: Array<{ name: string }>; steps: Array<{ name: string; kind: string }> }>()
    expect(body.sections.map((s) => s.name)).toEqual(['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Verification', 'Escalation'])
    expect(body.steps.some((s) => s.name === 'oldest_stuck_orders' && s.kind === 'diagnostic')).toBe(true)
    const html = await api.inject({ method: 'GET', url: '/api/v1/runbooks/l2c-stuck-orders?format=html' })
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(html.body).toContain('<h2')
    expect(html.body).toContain('data-step="oldest_stuck_orders"')
  })

  it('answers 404 naming an unknown runbook and 400 for a bad id', async () => {
    const missing = await api.inject({ method: 'GET', url: '/api/v1/runbooks/nope' })
    expect(missing.json()).toEqual({ code: 'TL_NOT_FOUND', message: 'id: no runbook nope' })
    expect((await api.inject({ method: 'GET', url: '/api/v1/runbooks/..%2Fetc' })).statusCode).toBe(400)
  })
})
