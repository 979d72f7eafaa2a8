// The loaded process definitions through the API, and the KPIs defaulting to a process's
// root key from its definition.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { importEventLog, loadProcessDefinitions } from '../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

let opened: MigratedStore
let api: FastifyInstance
beforeAll(async () => {
  opened = await openMigratedStore('api-definitions')
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error('the shipped definitions must load')
  api = await buildApiApp({ store: opened.store, logger: pino({ level: 'silent' }), definitions: load.definitions })
})
afterAll(async () => {
  await api.close()
  await opened.close()
})

describe('GET /api/v1/processes', () => {
  it('lists the shipped definitions with their version and root key', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/v1/processes' })
    expect(res.statusCode).toBe(200)
    const body = res.json<{ processes: Array<{ name: string; version: string; rootKey: string; milestones: string[] }> }>()
    expect(body.processes.map((p) => [p.name, p.version, p.rootKey])).toEqual([
      ['bank_credit', '1', 'application_id'],
      ['lead_to_cash', '1', 'order_id'],
      ['make_to_order', '1', 'sales_order_no'],
      ['order_to_cash_sample', '1.0.0', 'order'],
      ['retail_o2o', '1', 'online_order_no'],
    ])
    expect(body.processes.find((p) => p.name === 'lead_to_cash')!.milestones).toContain('opportunity.won')
  })

  it('answers one definition as its model, and 404 naming an unknown one', async () => {
    const one = await api.inject({ method: 'GET', url: '/api/v1/processes/lead_to_cash' })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ name: 'lead_to_cash', rootKey: 'order_id', calendar: { timeZone: 'Asia/Shanghai' } })
    const missing = await api.inject({ method: 'GET', url: '/api/v1/processes/no_such_process' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ code: 'TL_NOT_FOUND', message: 'process: no definition named "no_such_process" in processesDir' })
  })
})

describe('the KPIs of a defined process', () => {
  it("take the definition's root key when the query names none", async () => {
    const csv = join(opened.dataDir, 'orders.csv')
    // Two orders: O-1 with three steps, O-2 with one; filed under order_id, lead_to_cash's root key.
    writeFileSync(csv, 'order,activity,time\nO-1,a,2026-11-01T10:00:00Z\nO-1,b,2026-11-01T11:00:00Z\nO-2,a,2026-11-02T10:00:00Z\nO-1,c,2026-11-01T12:30:00Z\n')
    await importEventLog(opened.store, csv, { process: 'lead_to_cash', read: { caseKeyType: 'order_id', csv: { case: 'order' } } })
    const res = await api.inject({ method: 'GET', url: '/api/v1/processes/lead_to_cash/cases/summary' })
    expect(res.json()).toMatchObject({ rootKey: 'order_id', cases: 2, events: 4, durationSeconds: { min: 0, max: 9000 } })
  })
})
