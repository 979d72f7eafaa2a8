// K7 data-sync lag over spans that the real OpenTelemetry SDK produced (recordSyncChange /
// recordSyncApply) and the real collector stored: matching, coalescing, pending, echoes,
// versions and the half-open window, then the API routes and their bad input.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pendingSyncsAnswer, syncLagAnswer, syncLagRoutes, type PendingSyncsAnswer, type SyncLagAnswer } from '../../../api/sync-lag-routes.ts'
import { errorBody, ErrorCode, ThroughlineError } from '../../../core/errors.ts'
import { pendingSyncs, syncLag, type SyncLagScope } from '../../../processes/index.ts'
import { recordSyncApply, recordSyncChange, startIntegrationSpan, type IntegrationSpanOptions, type SyncApply, type SyncChange } from '../../../sdk/index.ts'
import { postProtobuf } from '../../support/otlp-requests.ts'
import { startCollector, type RunningCollector } from '../../support/running-collector.ts'
import { makeService } from '../../sdk/otel-harness.ts'

const HOUR_MS = 3_600_000
// The collector refuses spans outside the traces' retention (30 days), so the story happens
// two days ago, from a whole hour T0 ("08:00" in the comments below).
const T0 = (Math.floor(Date.now() / HOUR_MS) - 48) * HOUR_MS
/** T0 + seconds. */
const at = (seconds: number): Date => new Date(T0 + Math.round(seconds * 1000))
const ns = (date: Date): bigint => BigInt(date.getTime()) * 1_000_000n
const NOW = at(3600) // 09:00
const iso = (seconds: number): string => at(seconds).toISOString()
const WINDOW = `from=${iso(0)}&to=${iso(1800)}`
const scopeOf = (entityType: string, from: Date, to: Date): SyncLagScope => ({ fromNs: ns(from), toNs: ns(to), nowNs: ns(NOW), entityType })

type Service = ReturnType<typeof makeService>
const crm = makeService('crm-connector')
const erp = makeService('erp-adapter')
const services = [crm, erp]

const FROM_CRM: IntegrationSpanOptions = { integration: 'customer-master-sync', sourceSystem: 'CRM' }
const CRM_TO_ERP: IntegrationSpanOptions = { ...FROM_CRM, targetSystem: 'ERP' }

/** A change span as a CDC reader writes it: read at `readAt` (default: when it happened). */
function change(service: Service, options: IntegrationSpanOptions, record: SyncChange, readAt = record.sourceChangeTime): void {
  const span = startIntegrationSpan(service.tracer, `read ${record.entityType} change`, { ...options, startTime: readAt })
  recordSyncChange(span, record)
  span.end(new Date(readAt.getTime() + 100))
}

/** An apply span ending (the apply time t_t) at `appliedAt`. */
function apply(service: Service, options: IntegrationSpanOptions, record: SyncApply, appliedAt: Date): void {
  const span = startIntegrationSpan(service.tracer, `apply ${record.entityType}`, { ...options, startTime: new Date(appliedAt.getTime() - 50) })
  recordSyncApply(span, record)
  span.end(appliedAt)
}

// The hand-checked case, entity type `customer`, CRM -> ERP, window [08:00, 08:30):
// change i (0..999) happens at T0 + i s. The ten with i % 100 = 95 are never applied. Changes
// 500..504 are versions 1..5 of one entity, applied once (version 5) 939 s after change 504:
// lags 943, 942, 941, 940, 939 s. The other 985 get the lags 1..938 and 944..990 in a shuffled
// order (the j-th takes OTHER_LAGS[7 j mod 985]; 7 and 985 are coprime, so each lag once), so
// the 990 matched lags are exactly 1, 2, ..., 990 s.
const UNAPPLIED = (i: number): boolean => i % 100 === 95
const COALESCED_FIRST = 500
const OTHER_LAGS = Array.from({ length: 990 }, (_, k) => k + 1).filter((lag) => lag < 939 || lag > 943)

function customerChanges(): void {
  let j = 0
  for (let i = 0; i < 1000; i++) {
    const coalesced = i >= COALESCED_FIRST && i < COALESCED_FIRST + 5
    const record = {
      entityType: 'customer',
      entityId: coalesced ? 'C-COAL' : `C-${i}`,
      version: coalesced ? i - COALESCED_FIRST + 1 : 1,
      sourceChangeTime: at(i),
    }
    change(crm, FROM_CRM, record)
    if (coalesced || UNAPPLIED(i)) continue
    apply(erp, CRM_TO_ERP, { ...record, version: 1 }, at(i + OTHER_LAGS[(7 * j) % OTHER_LAGS.length]!))
    j++
  }
  apply(erp, CRM_TO_ERP, { entityType: 'customer', entityId: 'C-COAL', version: 5 }, at(COALESCED_FIRST + 4 + 939))
}

// `material`, both ways between CRM and ERP. ERP applies CRM's M-1 v7, then its own change
// feed reports M-1 v7 again: an echo. ERP's own change M-2 v3 is applied at CRM 30 s later.
// The ERP side names its system with business.system only, CRM's apply with service.name.
// CRM's reader reports M-1 v7 twice (a retry): one change.
function materialChanges(): void {
  const crmService = makeService('CRM')
  services.push(crmService)
  const m1 = { entityType: 'material', entityId: 'M-1', version: 7, sourceChangeTime: at(100) }
  change(crm, { ...CRM_TO_ERP, integration: 'material-sync' }, m1)
  change(crm, { ...CRM_TO_ERP, integration: 'material-sync' }, m1, at(105)) // the reader retried: still one change
  apply(erp, { ...CRM_TO_ERP, integration: 'material-sync' }, { entityType: 'material', entityId: 'M-1', version: 7 }, at(110))
  change(erp, { system: 'ERP' }, { entityType: 'material', entityId: 'M-1', version: 7, sourceChangeTime: at(111) })
  change(erp, { system: 'ERP' }, { entityType: 'material', entityId: 'M-2', version: 3, sourceChangeTime: at(200) })
  apply(crmService, { sourceSystem: 'ERP' }, { entityType: 'material', entityId: 'M-2', version: 3 }, at(230))
}

// `price_list`, changes naming their target. P-1 v5: an apply of v4 (older) does not match; of
// the applies v7 at +40 s and v6 at +30 s the earliest wins: lag 30. P-2 v8: only v7 applied,
// so pending. P-3 v2: applied 1 s "before" it changed (clock skew): lag 0. P-4: for WMS, which
// never applied anything.
function priceListChanges(): void {
  const price = (entityId: string, version: number) => ({ entityType: 'price_list', entityId, version })
  change(crm, CRM_TO_ERP, { ...price('P-1', 5), sourceChangeTime: at(0) })
  apply(erp, CRM_TO_ERP, price('P-1', 4), at(10))
  apply(erp, CRM_TO_ERP, price('P-1', 7), at(40))
  apply(erp, CRM_TO_ERP, price('P-1', 6), at(30))
  change(crm, CRM_TO_ERP, { ...price('P-2', 8), sourceChangeTime: at(0) })
  apply(erp, CRM_TO_ERP, price('P-2', 7), at(5))
  change(crm, CRM_TO_ERP, { ...price('P-3', 2), sourceChangeTime: at(60) })
  apply(erp, CRM_TO_ERP, price('P-3', 2), at(59))
  change(crm, { ...FROM_CRM, targetSystem: 'WMS' }, { ...price('P-4', 1), sourceChangeTime: at(60) })
}

// `vendor`, for the window [08:10, 08:20): changes at 08:09:59.999 (out), 08:10:00 (in),
// 08:20:00 (out), and one that happened at 08:19:59 but was read at 08:25 (in: the change time
// counts, not the span's). One span without sync.source.change_time (only raw attributes can
// omit it) ends at 08:15:00.1, which is then its change time: applied at 08:15:07.1, lag 7.
// One gives its change time as Unix nanoseconds (08:16:40), read at 08:16:50: lag 3.
function vendorChanges(): void {
  const vendor = (entityId: string, seconds: number, readAt?: number): void => {
    const record = { entityType: 'vendor', entityId, version: 1, sourceChangeTime: at(seconds) }
    change(crm, CRM_TO_ERP, record, readAt === undefined ? undefined : at(readAt))
    apply(erp, CRM_TO_ERP, record, at(seconds + 5))
  }
  vendor('V-before', 599.999)
  vendor('V-from', 600)
  vendor('V-to', 1200)
  vendor('V-late-read', 1199, 1500)
  const raw = startIntegrationSpan(crm.tracer, 'read vendor change', { ...CRM_TO_ERP, startTime: at(900) })
  raw.setAttributes({ 'sync.side': 'change', 'sync.entity.type': 'vendor', 'sync.entity.id': 'V-no-time', 'sync.entity.version': 1 })
  raw.end(at(900.1))
  apply(erp, CRM_TO_ERP, { entityType: 'vendor', entityId: 'V-no-time', version: 1 }, at(907.1))
  const digits = startIntegrationSpan(crm.tracer, 'read vendor change', { ...CRM_TO_ERP, startTime: at(1010) })
  digits.setAttributes({ 'sync.side': 'change', 'sync.entity.type': 'vendor', 'sync.entity.id': 'V-ns-time', 'sync.entity.version': 1 })
  digits.setAttribute('sync.source.change_time', ns(at(1000)).toString())
  digits.end(at(1010.1))
  apply(erp, CRM_TO_ERP, { entityType: 'vendor', entityId: 'V-ns-time', version: 1 }, at(1003))
}

let running: RunningCollector
let api: FastifyInstance
beforeAll(async () => {
  running = await startCollector()
  customerChanges()
  materialChanges()
  priceListChanges()
  vendorChanges()
  const spans = services.flatMap((s) => s.spans())
  const response = await postProtobuf(running.url, ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array())
  expect(response.status).toBe(200)
  expect(await running.waitForRows('otel_traces', spans.length)).toBe(spans.length)
  api = Fastify()
  // As buildApiApp answers errors: our code and message; Fastify's validation errors as TL_BAD_REQUEST.
  api.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
    reply.code(error.statusCode ?? 500).send(errorBody(error instanceof ThroughlineError ? error.code : ErrorCode.badRequest, error.message)),
  )
  await api.register(syncLagRoutes, { store: running.store, now: () => NOW })
  await api.ready()
})
afterAll(async () => {
  await api.close()
  await Promise.all(services.map((s) => s.shutdown()))
  await running.close()
})

describe('sync lag (K7)', () => {
  it('matches 990 of 1,000 changes, the 5 coalesced ones to their one apply, with the hand-checked p95', async () => {
    const [pair, ...others] = await syncLag(running.store, scopeOf('customer', at(0), at(1800)))
    expect(others).toEqual([])
    // The 990 matched lags sorted are exactly 1, 2, ..., 990 s (x_k = k). Exact quantile,
    // interpolated between ranks (Excel PERCENTILE.INC): h = (n - 1) p + 1.
    //   p95: h = 989 * 0.95 + 1 = 940.55 -> x_940 + 0.55 (x_941 - x_940) = 940.55 s
    //   p50: h = 989 * 0.5 + 1 = 495.5  -> x_495 + 0.5 (x_496 - x_495)  = 495.5 s
    // The coalesced lags 939..943 straddle p95: were they not matched, p95 would move.
    // Replication lag: now (09:00) - oldest unmatched change (i = 95, 08:01:35) = 3,505 s.
    // Freshness: now - newest matched change (i = 999, 08:16:39) = 2,601 s.
    expect(pair).toEqual({
      sourceSystem: 'CRM',
      targetSystem: 'ERP',
      entityType: 'customer',
      changes: 1000,
      matched: 990,
      coalesced: 5,
      pending: 10,
      inFlight: 0,
      echoes: 0,
      lagSeconds: { p50: 495.5, p95: expect.closeTo(940.55, 9), max: 990 },
      replicationLagSeconds: 3505,
      freshnessSeconds: 2601,
    })
  })

  it('lists the 10 never-applied changes as pending, oldest first, with their age', async () => {
    const page = await pendingSyncs(running.store, scopeOf('customer', at(0), at(1800)), { limit: 100, offset: 0 })
    expect(page.total).toBe(10)
    expect(page.pending.map((p) => [p.entityId, p.version, p.ageSeconds])).toEqual(
      [95, 195, 295, 395, 495, 595, 695, 795, 895, 995].map((i) => [`C-${i}`, 1, 3600 - i]),
    )
    expect(page.pending[0]).toMatchObject({ sourceSystem: 'CRM', targetSystem: 'ERP', entityType: 'customer', changeTimeNs: ns(at(95)).toString() })
  })

  it('counts a change that echoes back what its system applied apart, never as pending, and a change read twice once', async () => {
    const pairs = await syncLag(running.store, scopeOf('material', at(0), at(1800)))
    expect(pairs.map((p) => [p.sourceSystem, p.targetSystem, p.changes, p.echoes, p.matched, p.pending, p.lagSeconds.max])).toEqual([
      ['CRM', 'ERP', 1, 0, 1, 0, 10],
      ['ERP', 'CRM', 1, 1, 1, 0, 30],
    ])
    expect((await pendingSyncs(running.store, scopeOf('material', at(0), at(1800)), { limit: 10, offset: 0 })).total).toBe(0)
  })

  it("matches the earliest apply of a version at least the change's, and an older version not at all", async () => {
    const pairs = await syncLag(running.store, scopeOf('price_list', at(0), at(1800)))
    expect(pairs).toEqual([
      expect.objectContaining({ targetSystem: 'ERP', changes: 3, matched: 2, coalesced: 0, pending: 1, lagSeconds: { p50: 15, p95: 28.5, max: 30 } }),
      // Nothing matched: the lag figures are null, never 0.
      expect.objectContaining({
        targetSystem: 'WMS',
        changes: 1,
        matched: 0,
        pending: 1,
        lagSeconds: { p50: null, p95: null, max: null },
        freshnessSeconds: null,
      }),
    ])
    const page = await pendingSyncs(running.store, scopeOf('price_list', at(0), at(1800)), { limit: 10, offset: 0 })
    expect(page.pending.map((p) => [p.targetSystem, p.entityId, p.version])).toEqual([
      ['ERP', 'P-2', 8],
      ['WMS', 'P-4', 1],
    ])
  })

  it('takes the window half-open on the change time, falling back to the span end without one', async () => {
    const [pair] = await syncLag(running.store, scopeOf('vendor', at(600), at(1200)))
    // V-from (lag 5), V-no-time (7), V-ns-time (3), V-late-read (5): sorted 3, 5, 5, 7.
    expect(pair).toMatchObject({ changes: 4, matched: 4, lagSeconds: { p50: 5, max: expect.closeTo(7, 9) } })
    expect(await syncLag(running.store, scopeOf('vendor', at(1200), at(1260)))).toMatchObject([{ changes: 1, matched: 1 }])
    expect(await syncLag(running.store, scopeOf('nothing', at(0), at(1800)))).toEqual([])
  })

  it('leaves a change unmatched but in flight while it is younger than max_pending_age', async () => {
    const scope = { ...scopeOf('customer', at(0), at(1800)), nowNs: ns(at(1000)), maxPendingAgeMs: 600_000 }
    // At 08:16:40 changes 95..395 (age >= 605 s) are pending; 495..995 are younger than 10 min.
    // C-COAL's apply (08:23:03) is later than now, but "now" only measures ages.
    const [pair] = await syncLag(running.store, scope)
    expect(pair).toMatchObject({ pending: 4, inFlight: 6, replicationLagSeconds: 905 })
  })
})

describe('the sync-lag routes', () => {
  const get = async (url: string) => api.inject({ method: 'GET', url })

  it('answer with the window, the quantile method and the low-sample flag per pair', async () => {
    const res = await get(`/api/v1/integrations/sync-lag?${WINDOW}&entity_type=price_list&target_system=ERP`)
    expect(res.statusCode).toBe(200)
    const answer = res.json<SyncLagAnswer>()
    expect(answer).toMatchObject({
      window: { from: iso(0), to: iso(1800) },
      now: NOW.toISOString(),
      maxPendingAge: '15m',
      horizon: '1d',
      quantileMethod: 'exact',
      pairs: [{ sourceSystem: 'CRM', targetSystem: 'ERP', entityType: 'price_list', sampleSize: 2, lowSample: true }],
    })
  })

  it('page through the pending changes with their total', async () => {
    const base = `/api/v1/integrations/sync-lag/pending?${WINDOW}&source_system=CRM&entity_type=customer`
    const page = (await get(`${base}&limit=4&offset=8`)).json<PendingSyncsAnswer>()
    expect(page).toMatchObject({ total: 10, limit: 4, offset: 8 })
    expect(page.pending).toEqual([
      {
        status: 'missing_sync',
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        entityType: 'customer',
        entityId: 'C-895',
        version: 1,
        changeTime: iso(895),
        ageSeconds: 2705,
      },
      {
        status: 'missing_sync',
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        entityType: 'customer',
        entityId: 'C-995',
        version: 1,
        changeTime: iso(995),
        ageSeconds: 2605,
      },
    ])
    expect((await get(`${base}&offset=20`)).json<PendingSyncsAnswer>()).toMatchObject({ total: 10, pending: [] })
  })

  it.each([
    ['a time that is none', 'from=yesterday', 'from'],
    ['from after to', `from=${iso(3600)}&to=${iso(0)}`, 'from: must be before to'],
    ['a time DateTime64 cannot hold', 'from=1800-01-01T00:00:00Z', 'from: must be between'],
    ['a duration that is none', 'max_pending_age=soon', "max_pending_age: 'soon' is not a duration"],
    ['a horizon over a week', 'horizon=30d', 'horizon: must be at most 7d'],
    ['an empty entity type', 'entity_type=', 'entity_type'],
  ])('refuse %s with a 400 naming the field', async (_case, query, message) => {
    const res = await get(`/api/v1/integrations/sync-lag?${query}`)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'TL_BAD_REQUEST', message: expect.stringContaining(message) })
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['offset=-1', 'offset'],
  ])('refuse pending %s with a 400 naming the field', async (query, field) => {
    const res = await get(`/api/v1/integrations/sync-lag/pending?${query}`)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'TL_BAD_REQUEST', message: expect.stringContaining(field) })
  })

  it('check the times and page bounds in the answer builders too, for the CLI', async () => {
    await expect(pendingSyncsAnswer(running.store, { limit: 0 }, NOW)).rejects.toThrow('limit: must be an integer from 1 to 1000, got 0')
    await expect(syncLagAnswer(running.store, { from: 'yesterday' }, NOW)).rejects.toThrow('from: must be an RFC 3339 time')
  })
})
