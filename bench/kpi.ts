// npm run bench:kpi: how fast the KPI answers come back on a realistically large embedded
// store. Generates N lead_to_cash orders (about 10 business events each, default 1,000,000 ->
// about 10 million events) over the 365 days ending now, with ClickHouse itself (INSERT ...
// SELECT FROM numbers() with deterministic cityHash64 draws), the spans behind the span-derived
// events, the correlation graph (key_edges) and instance membership (instance_keys) as the
// correlator writes them, and data-sync spans between CRM and ERP over 30 days. Then, per
// answer builder of the API (the same functions the routes call), one warm-up call and up to
// --runs timed calls, and p50/p95/max against the issue's targets.
// Usage: node bench/kpi.ts [--instances 1000000] [--syncs N] [--runs 20] [--budget 60]
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { ClickHouseClient, QueryParams as ClientQueryParams } from '@clickhouse/client'
import { cycleTimeAnswer, instanceAnswer, kpiContext, processSummaryAnswer, slaAnswer, stuckAnswer, type KpiContext } from '../api/process-kpi-routes.ts'
import { caseSummaryAnswer, processMapAnswer } from '../api/process-log-routes.ts'
import { syncLagAnswer } from '../api/sync-lag-routes.ts'
import { resolveConfig } from '../core/config.ts'
import {
  correlateEvents,
  correlationModelOf,
  DEFAULT_LOOKBACK_NS,
  instanceFactsCte,
  loadProcessDefinitions,
  memberEventsCte,
  type CorrelatedEvent,
  type ProcessDefinition,
} from '../processes/index.ts'
import { clickHouseErrorCode, command, createStoreClient, migrate, queryRows, type StoreConnection } from '../store/index.ts'
import { tempDir } from '../test/support/temp-dir.ts'

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000000' },
    syncs: { type: 'string' },
    runs: { type: 'string', default: '20' },
    budget: { type: 'string', default: '30' },
    timeout: { type: 'string', default: '60' },
    profile: { type: 'boolean' },
    chunk: { type: 'string', default: '100000' },
    'correlate-sample': { type: 'string', default: '2000' },
  },
})
const INSTANCES = Number(args.instances)
const SYNCS = Number(args.syncs ?? args.instances)
const RUNS = Number(args.runs)
/** Seconds of timed calls per endpoint: calls go on while the next one is expected to fit. */
const BUDGET_S = Number(args.budget)
/** Seconds an answer may take before it is cancelled and reported as "> timeout". */
const TIMEOUT_S = Number(args.timeout)
const CHUNK = Number(args.chunk)
/** The unit-cost statements are single evaluations; they may take longer than an answer. */
const DIAGNOSE_TIMEOUT_S = 300
/** Run every kpi.* statement alone once more and count what it reads (long at 1M instances). */
const PROFILE_STATEMENTS = args.profile ?? INSTANCES <= 200_000
const CORRELATE_SAMPLE = Math.min(Number(args['correlate-sample']), INSTANCES)
const LOOKUPS = 20
const PROCESS = 'lead_to_cash'

const DAY_S = 86_400
const DAY_MS = DAY_S * 1000
const NS = 1_000_000_000n
// "Now" for the whole run, on a whole second: the data ends here and every answer is as of it.
const NOW_MS = Math.floor(Date.now() / 1000) * 1000
const NOW_NS = BigInt(NOW_MS) * 1_000_000n
const HISTORY_DAYS = 365
const SYNC_DAYS = 30

const line = (label: string, value: string): void => console.log(`${label.padEnd(52)} ${value}`)
const fmt = (n: number): string => Math.round(n).toLocaleString('en')
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

// ---- memory ------------------------------------------------------------------------------

function peakRssMiB(): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
  return kb / 1024
}

/** Resets VmHWM to the current RSS (Linux), so the next peak is that of the next phase alone. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

// ---- statement timing --------------------------------------------------------------------
// chDB keeps no system.query_log, so the store's client is wrapped: every SELECT is timed
// from the call to its parsed rows, under the tag queryRows gives it (log_comment).

interface TagTime {
  ms: number
  calls: number
}
const tagTimes = new Map<string, TagTime>()
/** The first statement seen under each kpi.* tag, for EXPLAIN afterwards. */
const statementOf = new Map<string, { query: string; params: Record<string, unknown> }>()
/** performance.now() by which the answer being timed must be done; statements get the rest as max_execution_time. */
let deadline = Infinity

class DeadlineExceeded extends Error {}

function timedClient(client: ClickHouseClient): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') {
        return async (params: ClientQueryParams) => {
          const started = performance.now()
          const left = (deadline - started) / 1000
          if (left <= 0) throw new DeadlineExceeded('answer deadline passed')
          // Sent with every statement: chDB keeps a setting for the session, so none may go stale.
          const limit = Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : 0
          const result = await target.query({ ...params, clickhouse_settings: { ...params.clickhouse_settings, max_execution_time: limit } })
          const comment = params.clickhouse_settings?.log_comment
          const tag = typeof comment === 'string' ? comment.replace(/^throughline:/, '') : '(untagged)'
          if (tag.startsWith('kpi.') && !statementOf.has(tag)) statementOf.set(tag, { query: params.query, params: params.query_params ?? {} })
          const json = result.json.bind(result)
          Object.defineProperty(result, 'json', {
            value: async () => {
              const rows = await json()
              const t = tagTimes.get(tag) ?? { ms: 0, calls: 0 }
              t.ms += performance.now() - started
              t.calls++
              tagTimes.set(tag, t)
              return rows
            },
          })
          return result
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** A statement cancelled by max_execution_time (TIMEOUT_EXCEEDED), or the deadline passed between statements. */
function isTimeout(error: unknown): boolean {
  return error instanceof DeadlineExceeded || clickHouseErrorCode(error) === 159
}

// ---- data generation ---------------------------------------------------------------------

/** A uniform draw in [0, 1) from (row number, salt): the same every run. */
const r = (salt: number, of = 'n'): string => `(cityHash64(${of}, ${salt}) % 1000000) / 1000000.0`
/** A log-uniform duration between lo and hi seconds, in ns: most short, a long tail. */
const gap = (lo: number, hi: number, salt: number): string => `toInt64(${lo} * exp(${r(salt)} * ${Math.log(hi / lo).toFixed(6)}) * 1e9)`
const kv = (pairs: Record<string, string>): string =>
  `map(${Object.entries(pairs)
    .flatMap(([k, v]) => [`'${k}'`, v])
    .join(', ')})`

/**
 * One row per (order, business event) of orders [base, base + count): (n, order_id, ev) with
 * ev = (idx, milestone, system, ts_ns, observed_ns, keys, attrs, source, trace_id, span_id).
 * Keys as the systems have them: order_id on the CRM and ERP events, so_number + delivery_id
 * on the WMS events, invoice_no (+ so_number, receivable_id, payment_id) on finance and bank
 * events, so most events reach their order only through correlation. 5 % of orders stop
 * (stuck) after a random stage, 2 % are cancelled, 15 % ship in two deliveries, 4 % have an
 * order change; events after {now} (or observed after it) do not exist yet.
 */
function orderEventsSql(): string {
  const value = `toString(toDecimal64(round(500 * exp(${r(30)} * ${Math.log(1000).toFixed(6)}), 2), 2))`
  const attrs = (extra: Record<string, string>, withMoney = false): string =>
    kv({ ...(withMoney ? { 'business.value': 'amount', 'business.currency': 'currency' } : {}), ...extra })
  const ev = (
    idx: number | string,
    milestone: string,
    system: string,
    ts: string,
    observed: string,
    keys: Record<string, string>,
    at: string,
    source: string,
    trace = "''",
    span = "''",
    on = '1',
  ) =>
    `(toFloat64(${idx}), '${milestone}', '${system}', toInt64(${ts}), toInt64(${observed}), ${kv(keys)}, ${at}, '${source}', ${trace}, ${span}, toUInt8(${on}))`
  const obs = (ts: string, salt: number): string => `${ts} + ${gap(1, 120, salt)}`
  // The WMS exports goods issues nightly (18:00 UTC = 02:00 in Shanghai) after the fact.
  const nightly = (ts: string, salt: number): string => `${ts} - ((${ts} - 64800000000000) % 86400000000000) + 86400000000000 + ${gap(60, 1800, salt)}`
  const crm = { order_id: 'order_id', opportunity_id: 'opportunity_id', crm_account_id: 'crm_account_id' }
  const erp = { order_id: 'order_id', so_number: 'so_number' }
  const tier = { customer_tier: 'tier' }
  const wh = { 'wms.warehouse': 'warehouse' }
  const fin = { 'fin.company_code': "'1000'" }
  const events = [
    ev(1, 'opportunity.won', 'CRM', 't_won', obs('t_won', 40), crm, attrs({ ...tier, 'crm.opportunity.stage': "'Closed Won'" }, true), 'log'),
    ev(
      2,
      'sales_order.created',
      'ERP',
      't_so',
      obs('t_so', 41),
      { ...erp, erp_customer_id: 'erp_customer_id' },
      attrs({ ...tier, 'http.request.method': "'POST'", 'http.response.status_code': "'201'", 'server.address': "'erp.internal'" }, true),
      'span',
      'so_trace',
      'so_span',
    ),
    ev(2.5, 'sales_order.changed', 'ERP', 't_chg', obs('t_chg', 42), erp, attrs({ 'erp.change.reason': "'quantity'" }), 'event', "''", "''", 'changed'),
    ev(3, 'credit_check.passed', 'ERP', 't_cc', obs('t_cc', 43), erp, attrs({ 'erp.credit.check': "'limit'" }), 'event'),
    ev(
      'cancel_stage + 0.5',
      'sales_order.cancelled',
      'ERP',
      't_cancel',
      obs('t_cancel', 44),
      erp,
      attrs({ 'erp.cancel.reason': "'customer request'" }),
      'event',
      "''",
      "''",
      'cancelled',
    ),
    ev(4, 'stock.reserved', 'WMS', 't_rsv', obs('t_rsv', 45), { so_number: 'so_number', reservation_id: 'reservation_id' }, attrs(wh), 'event'),
    ev(
      5,
      'delivery.created',
      'WMS',
      't_d1c',
      obs('t_d1c', 46),
      { so_number: 'so_number', delivery_id: 'delivery1' },
      attrs({ ...wh, 'http.request.method': "'POST'" }),
      'span',
      'd1_trace',
      'd1_span',
    ),
    ev(
      5.1,
      'delivery.created',
      'WMS',
      't_d2c',
      obs('t_d2c', 47),
      { so_number: 'so_number', delivery_id: 'delivery2' },
      attrs({ ...wh, 'http.request.method': "'POST'" }),
      'span',
      'd2_trace',
      'd2_span',
      'two',
    ),
    ev(6, 'goods_issue.posted', 'WMS', 't_d1g', nightly('t_d1g', 48), { so_number: 'so_number', delivery_id: 'delivery1' }, attrs(wh), 'log'),
    ev(
      6.1,
      'goods_issue.posted',
      'WMS',
      't_d2g',
      nightly('t_d2g', 49),
      { so_number: 'so_number', delivery_id: 'delivery2' },
      attrs(wh),
      'log',
      "''",
      "''",
      'two',
    ),
    ev(7, 'invoice.posted', 'FIN', 't_inv', obs('t_inv', 50), { invoice_no: 'invoice_no', so_number: 'so_number' }, attrs(fin, true), 'event'),
    ev(8, 'receivable.posted', 'FIN', 't_ar', obs('t_ar', 51), { receivable_id: 'receivable_id', invoice_no: 'invoice_no' }, attrs(fin), 'event'),
    ev(
      9,
      'payment.received',
      'BANK',
      't_pay',
      obs('t_pay', 52),
      { payment_id: 'payment_id', invoice_no: 'invoice_no' },
      attrs({ 'bank.channel': "'SWIFT'" }, true),
      'event',
    ),
    ev(10, 'receivable.cleared', 'FIN', 't_clr', obs('t_clr', 53), { receivable_id: 'receivable_id', payment_id: 'payment_id' }, attrs(fin), 'event'),
  ]
  const hex16 = (salt: number): string => `leftPad(lower(hex(cityHash64(n, ${salt}))), 16, '0')`
  const trace = (what: string): string => `lower(hex(MD5(concat('${what}/', order_id))))`
  return `
    SELECT n, order_id, ev FROM (
      SELECT number AS n,
        concat('ORD-', leftPad(toString(n), 8, '0')) AS order_id,
        concat('0065g', leftPad(toString(n), 10, '0')) AS opportunity_id,
        leftPad(toString(10000000 + n), 10, '0') AS so_number,
        concat('RSV', toString(30000000 + n)) AS reservation_id,
        toString(80000000 + 2 * n) AS delivery1,
        toString(80000001 + 2 * n) AS delivery2,
        concat('INV', toString(90000000 + n)) AS invoice_no,
        concat('AR-', toString(50000000 + n)) AS receivable_id,
        concat('PAY-', toString(70000000 + n)) AS payment_id,
        cityHash64(n, 7) % 50000 AS customer,
        concat('0015g', leftPad(toString(customer), 10, '0')) AS crm_account_id,
        toString(100000 + customer) AS erp_customer_id,
        multiIf(customer % 100 < 5, 'strategic', customer % 100 < 25, 'key_account', 'standard') AS tier,
        multiIf(customer % 10 < 7, 'CNY', customer % 10 < 9, 'USD', 'EUR') AS currency,
        concat('WH0', toString(1 + cityHash64(n, 8) % 4)) AS warehouse,
        ${value} AS amount,
        ${r(2)} AS fate,
        multiIf(fate < 0.05, toFloat64(1 + cityHash64(n, 3) % 8), fate < 0.07, toFloat64(2 + cityHash64(n, 4) % 3) + 0.5, 99.0) AS stop,
        toFloat64(floor(stop)) AS cancel_stage,
        fate >= 0.05 AND fate < 0.07 AS cancelled,
        ${r(5)} < 0.15 AS two,
        ${r(6)} < 0.04 AS changed,
        {nowNs:Int64} - {historyNs:Int64} + toInt64(cityHash64(n, 1) % {historyNs:UInt64}) AS t_won,
        t_won + ${gap(60, 3 * 3600, 10)} AS t_so,
        t_so + ${gap(30, 7200, 11)} AS t_cc,
        t_so + intDiv(t_cc - t_so, 2) AS t_chg,
        t_cc + ${gap(300, DAY_S, 12)} AS t_rsv,
        t_rsv + ${gap(3600, 3 * DAY_S, 13)} AS t_d1c,
        t_d1c + ${gap(4 * 3600, 2 * DAY_S, 14)} AS t_d1g,
        t_d1c + ${gap(1800, 2 * DAY_S, 15)} AS t_d2c,
        t_d2c + ${gap(4 * 3600, 3 * DAY_S, 16)} AS t_d2g,
        t_d1g + if(two AND t_d2g > t_d1g, t_d2g - t_d1g, 0) + ${gap(1800, 1.5 * DAY_S, 17)} AS t_inv,
        t_inv + ${gap(10, 600, 18)} AS t_ar,
        t_ar + ${gap(10 * DAY_S, 45 * DAY_S, 19)} AS t_pay,
        t_pay + ${gap(3600, 3 * DAY_S, 20)} AS t_clr,
        multiIf(cancel_stage = 2, t_so, cancel_stage = 3, t_cc, t_rsv) + ${gap(3600, 5 * DAY_S, 21)} AS t_cancel,
        ${trace('so')} AS so_trace, ${hex16(201)} AS so_span,
        ${trace('d1')} AS d1_trace, ${hex16(202)} AS d1_span,
        ${trace('d2')} AS d2_trace, ${hex16(203)} AS d2_span,
        arrayFilter(e -> e.11 = 1 AND e.1 <= stop AND e.4 <= {nowNs:Int64} AND e.5 <= {nowNs:Int64}, [
          ${events.join(',\n          ')}
        ]) AS evs
      FROM numbers({base:UInt64}, {count:UInt64})
    ) ARRAY JOIN evs AS ev`
}

const EVENT_ID = "if(ev.8 = 'span', concat(ev.9, ev.10), lower(hex(MD5(concat(order_id, '/', ev.2, '/', toString(ev.1))))))"

function insertEventsSql(): string {
  return `INSERT INTO business_events (Process, ProcessVersion, EventId, Ts, ObservedTs, Milestone, Lifecycle, Status, System, Keys, OperationId, Attempt, Attrs, TraceId, SpanId, Source)
    SELECT {process:String}, '1', ${EVENT_ID}, fromUnixTimestamp64Nano(ev.4, 'UTC'), fromUnixTimestamp64Nano(ev.5, 'UTC'), ev.2, 'complete', 'ok', ev.3, ev.6, '', 0, ev.7, ev.9, ev.10, ev.8
    FROM (${orderEventsSql()})`
}

/**
 * The spans the span-derived events (sales order created, delivery created) were recognised
 * from, for the events inside the default trace retention (30 days): older spans are gone.
 */
function insertOrderSpansSql(): string {
  return `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage)
    SELECT fromUnixTimestamp64Nano(ev.4), ev.9, ev.10, '', '',
           if(ev.2 = 'sales_order.created', 'POST A_SalesOrder', 'POST /deliveries'),
           if(ev.2 = 'sales_order.created', 'Client', 'Server'),
           if(ev.2 = 'sales_order.created', 'erp-adapter', 'wms-adapter') AS service,
           map('service.name', service, 'business.system', ev.3, 'deployment.environment', 'prod'), 'throughline-bench', '1',
           mapUpdate(mapUpdate(ev.7, mapApply((k, v) -> (concat('business.key.', k), v), ev.6)), map('business.process', {process:String})),
           toUInt64(50000000 + cityHash64(ev.10) % 1500000000), 'Ok', ''
    FROM (${orderEventsSql()}) WHERE ev.8 = 'span' AND ev.4 >= {nowNs:Int64} - {retentionNs:Int64}`
}

/**
 * instance_keys as the correlator leaves it: every non-root instance-key node and span node
 * of the order's events -> [its order]. Each order's keys are its own, so each component has
 * exactly one root, and nearest-roots gives every node of it that root (checked below by
 * running the real correlator over a sample).
 */
function insertInstanceKeysSql(): string {
  return `INSERT INTO instance_keys (Process, Node, Instances, Version)
    SELECT {process:String}, node, [any(order_id)], 1
    FROM (${orderEventsSql()})
    ARRAY JOIN arrayConcat(
      arrayFilter(x -> x != '', arrayMap((k, v) -> if(has({instanceTypes:Array(String)}, k) AND k != {rootKey:String} AND v != '', concat(k, '=', v), ''), mapKeys(ev.6), mapValues(ev.6))),
      if(ev.8 = 'span', [concat('span=', ev.9, '/', ev.10)], [])) AS node
    GROUP BY node`
}

/**
 * key_edges from the stored events, exactly as correlation/nodes.ts eventEdges makes them: the
 * event's instance-key nodes (sorted) joined in a star from the first, its own span (span
 * events) joined to that hub and to the spans it links to; stored in both directions.
 * Repeats across events are kept, as the correlator's batches leave them (merges collapse them).
 */
function insertKeyEdgesSql(): string {
  return `INSERT INTO key_edges (Process, A, B)
    SELECT Process, edge.1, edge.2 FROM (
      SELECT Process,
             arraySort(arrayFilter(x -> has({instanceTypes:Array(String)}, substring(x, 1, position(x, '=') - 1)) AND position(x, '=') < length(x), KeyValues)) AS nodes,
             concat('span=', TraceId, '/', SpanId) AS own,
             arrayConcat(arrayMap(x -> (nodes[1], x), arrayPopFront(nodes)),
                         if(Source = 'span' AND notEmpty(nodes), [(own, nodes[1])], []),
                         if(Source = 'span', arrayMap(l -> (own, concat('span=', l)), Links), [])) AS edges
      FROM business_events WHERE Process = {process:String} AND toYYYYMM(Ts) = {month:UInt32}
    ) ARRAY JOIN arrayConcat(edges, arrayMap(e -> (e.2, e.1), edges)) AS edge`
}

/**
 * Data-sync spans over the SYNC_DAYS before now: per change j a `change` span at the source
 * and an `apply` span at the target in the same trace. 60 % customers CRM -> ERP, 40 %
 * materials ERP -> CRM; lag mostly 0.5-90 s, 2 % 5 min-2 h; 3 % of changes are followed within
 * seconds by another change of the entity and both are applied once (coalesced); 0.3 % are
 * never applied (pending).
 */
function insertSyncSpansSql(): string {
  const span = (ts: string, dur: string, side: 'change' | 'apply', version: string, spanSalt: number, on: string) =>
    `(toInt64(${ts}), toUInt64(${dur}), '${side}', toUInt64(${version}), leftPad(lower(hex(cityHash64(n, ${spanSalt}))), 16, '0'), toUInt8(${on}))`
  return `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage)
    SELECT fromUnixTimestamp64Nano(s.1), trace, s.5, '', '',
           concat(if(s.3 = 'change', 'publish ', 'apply '), entity_type),
           if(s.3 = 'change', 'Producer', 'Consumer'),
           multiIf(s.3 = 'change' AND source = 'CRM', 'crm-sync-connector', s.3 = 'change', 'erp-change-pointers', target = 'ERP', 'erp-inbound-idoc', 'crm-inbound-api') AS service,
           map('service.name', service, 'business.system', if(s.3 = 'change', source, target), 'deployment.environment', 'prod'), 'throughline-bench', '1',
           map('sync.side', s.3, 'sync.entity.type', entity_type, 'sync.entity.id', entity_id, 'sync.entity.version', toString(s.4),
               'sync.source.change_time', toString(if(s.3 = 'change', s.1, t1)), 'integration.source.system', source, 'integration.target.system', target,
               'integration.name', concat(lower(source), '-', lower(target), '-', entity_type, '-sync'), 'messaging.message.id', concat(trace, '/', toString(s.4))),
           s.2, 'Ok', ''
    FROM (
      SELECT number AS n, ${r(1)} < 0.6 AS customer,
             if(customer, 'CRM', 'ERP') AS source, if(customer, 'ERP', 'CRM') AS target, if(customer, 'customer', 'material') AS entity_type,
             if(customer, concat('C', toString(100000 + cityHash64(n, 2) % 200000)), concat('MAT-', toString(400000 + cityHash64(n, 2) % 80000))) AS entity_id,
             lower(hex(MD5(concat('sync/', toString(n))))) AS trace,
             {syncFromNs:Int64} + toInt64(n * {syncStepNs:UInt64}) + toInt64(cityHash64(n, 3) % {syncStepNs:UInt64}) AS t1,
             ${r(4)} < 0.03 AS coalesce,
             t1 + ${gap(2, 30, 5)} AS t2,
             if(${r(6)} < 0.02, ${gap(300, 7200, 7)}, ${gap(0.5, 90, 8)}) AS lag,
             ${r(9)} >= 0.003 AS applied,
             arrayFilter(x -> x.6 = 1 AND x.1 + toInt64(x.2) <= {nowNs:Int64}, [
               ${span('t1', `5000000 + cityHash64(n, 10) % 45000000`, 'change', '2 * n + 1', 11, '1')},
               ${span('t2', `5000000 + cityHash64(n, 12) % 45000000`, 'change', '2 * n + 2', 13, 'coalesce')},
               ${span('if(coalesce, t2, t1) + lag', `20000000 + cityHash64(n, 14) % 480000000`, 'apply', 'if(coalesce, 2 * n + 2, 2 * n + 1)', 15, 'applied')}
             ]) AS spans
      FROM numbers({base:UInt64}, {count:UInt64})
    ) ARRAY JOIN spans AS s`
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await run()
  return { value, ms: performance.now() - started }
}

async function count(store: StoreConnection, sql: string, params: QueryParams = {}): Promise<number> {
  const [row] = await queryRows<{ n: string }>(store, sql, params, { tag: 'bench.count' })
  return Number(row?.n ?? 0)
}
type QueryParams = Record<string, unknown>

async function inChunks(total: number, run: (base: number, n: number) => Promise<void>): Promise<void> {
  for (let base = 0; base < total; base += CHUNK) await run(base, Math.min(CHUNK, total - base))
}

interface Generated {
  events: number
  orderSpans: number
  syncSpans: number
  instanceKeys: number
  keyEdges: number
  phases: Array<[string, number]>
}

async function generate(store: StoreConnection, definition: ProcessDefinition): Promise<Generated> {
  const model = correlationModelOf(definition)
  const base = {
    process: PROCESS,
    nowNs: NOW_NS.toString(),
    historyNs: (BigInt(HISTORY_DAYS * DAY_S) * NS).toString(),
    instanceTypes: [...model.instanceKeyTypes].sort(),
    rootKey: model.rootKey,
  }
  const phases: Array<[string, number]> = []
  const phase = async (label: string, run: () => Promise<void>): Promise<void> => {
    const { ms } = await timed(run)
    phases.push([label, ms])
    line(`  ${label}`, seconds(ms))
  }
  const exec = (tag: string, sql: string, params: QueryParams) => command(store, sql, params, { tag })
  await phase('business_events', () => inChunks(INSTANCES, (b, n) => exec('bench.gen.events', insertEventsSql(), { ...base, base: b, count: n })))
  await phase('otel_traces: spans of span-derived events', () =>
    inChunks(INSTANCES, (b, n) =>
      exec('bench.gen.order-spans', insertOrderSpansSql(), {
        ...base,
        base: b,
        count: n,
        retentionNs: (BigInt(config.retention.tracesDays * DAY_S) * NS).toString(),
      }),
    ),
  )
  await phase('instance_keys (as the correlator writes them)', () =>
    inChunks(INSTANCES, (b, n) => exec('bench.gen.instance-keys', insertInstanceKeysSql(), { ...base, base: b, count: n })),
  )
  await phase('key_edges (eventEdges of every stored event)', async () => {
    const months = await queryRows<{ m: number }>(store, 'SELECT DISTINCT toYYYYMM(Ts) AS m FROM business_events ORDER BY m', {}, { tag: 'bench.months' })
    for (const { m } of months) await exec('bench.gen.key-edges', insertKeyEdgesSql(), { ...base, month: m })
  })
  const syncStepNs = (BigInt(SYNC_DAYS * DAY_S) * NS) / BigInt(Math.max(SYNCS, 1))
  await phase('otel_traces: sync spans', () =>
    inChunks(SYNCS, (b, n) =>
      exec('bench.gen.sync-spans', insertSyncSpansSql(), {
        ...base,
        base: b,
        count: n,
        syncFromNs: (NOW_NS - BigInt(SYNC_DAYS * DAY_S) * NS).toString(),
        syncStepNs: syncStepNs.toString(),
      }),
    ),
  )
  return {
    events: await count(store, 'SELECT count() AS n FROM business_events'),
    orderSpans: await count(
      store,
      "SELECT count() AS n FROM otel_traces WHERE ScopeName = 'throughline-bench' AND NOT mapContains(SpanAttributes, 'sync.side')",
    ),
    syncSpans: await count(store, "SELECT count() AS n FROM otel_traces WHERE mapContains(SpanAttributes, 'sync.side')"),
    instanceKeys: await count(store, 'SELECT count() AS n FROM instance_keys'),
    keyEdges: await count(store, 'SELECT count() AS n FROM key_edges'),
    phases,
  }
}

/** Waits until the background merges of the inserts are done (at most `limitMs`), so they do not run under the timings. */
async function settleMerges(store: StoreConnection, limitMs: number): Promise<{ ms: number; pending: number }> {
  const started = performance.now()
  for (;;) {
    const merging = await count(store, 'SELECT count() AS n FROM system.merges WHERE database = currentDatabase()')
    if (merging === 0 || performance.now() - started > limitMs) return { ms: performance.now() - started, pending: merging }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

async function partCounts(store: StoreConnection): Promise<string> {
  const rows = await queryRows<{ table: string; parts: string; bytes: string }>(
    store,
    `SELECT table, count() AS parts, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = currentDatabase() AND active
     AND table IN ('business_events', 'instance_keys', 'key_edges', 'otel_traces') GROUP BY table ORDER BY table`,
    {},
    { tag: 'bench.parts' },
  )
  return rows.map((r) => `${r.table} ${r.parts} parts ${(Number(r.bytes) / 2 ** 20).toFixed(0)} MiB`).join(', ')
}

/**
 * The real correlator over the events of a sample of orders, as the deriver calls it: if the
 * generated instance_keys are what it computes, it repoints nothing. Its rate says how long
 * correlating the whole store from scratch would take.
 */
async function correlateSample(
  store: StoreConnection,
  definition: ProcessDefinition,
): Promise<{ events: number; ms: number; repointed: number; walked: number }> {
  if (CORRELATE_SAMPLE === 0) return { events: 0, ms: 0, repointed: 0, walked: 0 }
  const rows = await queryRows<{ keys: Record<string, string>; source: string; trace: string; span: string }>(
    store,
    `SELECT ev.6 AS keys, ev.8 AS source, ev.9 AS trace, ev.10 AS span FROM (${orderEventsSql()})`,
    {
      nowNs: NOW_NS.toString(),
      historyNs: (BigInt(HISTORY_DAYS * DAY_S) * NS).toString(),
      base: Math.floor(INSTANCES / 2),
      count: CORRELATE_SAMPLE,
    },
    { tag: 'bench.sample-events' },
  )
  const events: CorrelatedEvent[] = rows.map((r) => ({ keys: r.keys, links: [], ...(r.source === 'span' ? { ownSpan: `${r.trace}/${r.span}` } : {}) }))
  const model = correlationModelOf(definition)
  let repointed = 0
  let walked = 0
  const { ms } = await timed(async () => {
    // Batches of about a deriver pass.
    for (let i = 0; i < events.length; i += 5000) {
      const result = await correlateEvents(store, model, events.slice(i, i + 5000))
      repointed += result.nodesRepointed
      walked += result.nodesWalked
    }
  })
  return { events: events.length, ms, repointed, walked }
}

// ---- timing the answers ------------------------------------------------------------------

interface Measured {
  endpoint: string
  window: string
  runs: number
  p50: number
  p95: number
  max: number
  /** CPU seconds (this process: Node and the embedded engine's threads) per answer. */
  cpu: number
  /** The answer did not finish within --timeout: the figures are lower bounds. */
  timedOut: boolean
  targetMs: number | null
  rows: string
  statements: string
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN
}

function cpuSecondsNow(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** One answer with the deadline armed: its wall time, CPU time, and the answer (undefined if it timed out). */
async function oneCall(call: () => Promise<unknown>, timeoutS = TIMEOUT_S): Promise<{ ms: number; cpu: number; answer: unknown; timedOut: boolean }> {
  const cpuBefore = cpuSecondsNow()
  const started = performance.now()
  deadline = started + timeoutS * 1000
  try {
    const answer = await call()
    return { ms: performance.now() - started, cpu: cpuSecondsNow() - cpuBefore, answer, timedOut: false }
  } catch (error) {
    if (!isTimeout(error)) throw error
    return { ms: performance.now() - started, cpu: cpuSecondsNow() - cpuBefore, answer: undefined, timedOut: true }
  } finally {
    deadline = Infinity
  }
}

/**
 * One warm-up call, then timed calls while the next one is expected to fit in --budget (up to
 * --runs). A warm-up slower than the budget is the only sample; one that times out is reported
 * as "> --timeout".
 */
async function measure(
  endpoint: string,
  window: string,
  targetMs: number | null,
  call: (i: number) => Promise<unknown>,
  describe: (answer: unknown) => string,
): Promise<Measured> {
  tagTimes.clear()
  const warm = await oneCall(() => call(-1))
  const samples: Array<{ ms: number; cpu: number }> = []
  let answer = warm.answer
  let timedOut = warm.timedOut
  if (warm.timedOut || warm.ms > BUDGET_S * 1000) {
    samples.push(warm)
  } else {
    tagTimes.clear()
    const started = performance.now()
    let last = warm.ms
    while (samples.length < RUNS && performance.now() - started + last <= BUDGET_S * 1000) {
      const i = samples.length
      const run = await oneCall(() => call(i))
      samples.push(run)
      last = run.ms
      if (run.timedOut) {
        timedOut = true
        break
      }
      answer = run.answer
    }
    if (samples.length === 0) samples.push(warm)
  }
  const sorted = samples.map((x) => x.ms).sort((x, y) => x - y)
  const statements = [...tagTimes]
    .sort((x, y) => y[1].ms - x[1].ms)
    .map(([tag, t]) => `${tag} ${fmt(t.ms / samples.length)} ms${t.calls > samples.length ? ` (${(t.calls / samples.length).toFixed(0)}x)` : ''}`)
    .join(', ')
  const m: Measured = {
    endpoint,
    window,
    runs: samples.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1] ?? NaN,
    cpu: samples.reduce((sum, x) => sum + x.cpu, 0) / samples.length,
    timedOut,
    targetMs,
    rows: answer === undefined ? `timed out after ${TIMEOUT_S} s (statements finished so far below)` : describe(answer),
    statements,
  }
  const verdict = targetMs === null ? '' : !m.timedOut && m.p95 <= targetMs ? `  PASS (<= ${targetMs} ms)` : `  MISS (> ${targetMs} ms)`
  const figures = m.timedOut
    ? `> ${fmt(TIMEOUT_S * 1000)} ms (timed out)`
    : `p50 ${fmt(m.p50)} ms  p95 ${fmt(m.p95)} ms  max ${fmt(m.max)} ms  (${m.runs} run${m.runs === 1 ? '' : 's'})`
  line(`${endpoint} [${window}]`, `${figures}  CPU ${m.cpu.toFixed(1)} s/answer${verdict}`)
  line('', m.rows)
  line('', `per answer: ${m.statements || '-'}`)
  return m
}

const SUMMARY_TARGET_MS = 500
const LOOKUP_TARGET_MS = 200

async function runBenchmarks(store: StoreConnection, definition: ProcessDefinition): Promise<Measured[]> {
  const defs = new Map([[PROCESS, definition]])
  const iso = (ms: number): string => new Date(ms).toISOString()
  const ctx = (days: number): KpiContext => kpiContext(defs, PROCESS, { from: iso(NOW_MS - days * DAY_MS), to: iso(NOW_MS), as_of: iso(NOW_MS) })
  const logQuery = (days: number) => ({ from: iso(NOW_MS - days * DAY_MS), to: iso(NOW_MS) })
  const out: Measured[] = []
  const as = <T>(a: unknown): T => a as T
  for (const days of [30, 7]) {
    const w = `${days} d`
    out.push(
      await measure(
        'KPI summary (processSummaryAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => processSummaryAnswer(store, ctx(days)),
        (a) => {
          const s = as<Awaited<ReturnType<typeof processSummaryAnswer>>>(a)
          return `arrived ${fmt(s.arrived)}, completed ${fmt(s.completed)}, cancelled ${fmt(s.cancelled)}, WIP ${fmt(s.wipAtEnd)}, stuck ${fmt(s.stuck.stuck)}`
        },
      ),
    )
    out.push(
      await measure(
        'cycle time (cycleTimeAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => cycleTimeAnswer(store, ctx(days)),
        (a) => {
          const c = as<Awaited<ReturnType<typeof cycleTimeAnswer>>>(a)
          return `completed ${fmt(c.completion.count)}, p50 ${((c.completion.p50 ?? 0) / DAY_S).toFixed(1)} d; started ${fmt(c.start.started)}, censored ${fmt(c.start.censored)}`
        },
      ),
    )
    out.push(
      await measure(
        'cycle time, business clock (cycleTimeAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => cycleTimeAnswer(store, ctx(days), 'business'),
        (a) => `completed ${fmt(as<Awaited<ReturnType<typeof cycleTimeAnswer>>>(a).completion.count)}`,
      ),
    )
    out.push(
      await measure(
        'SLA attainment (slaAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => slaAnswer(store, ctx(days)),
        (a) =>
          as<Awaited<ReturnType<typeof slaAnswer>>>(a)
            .slas.map((s) => `${s.sla} ${fmt(s.due)} due ${s.attainment === null ? '-' : `${(s.attainment * 100).toFixed(1)} %`}`)
            .join(', '),
      ),
    )
    out.push(
      await measure(
        'case summary (caseSummaryAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => caseSummaryAnswer(store, PROCESS, logQuery(days), definition.rootKey),
        (a) => {
          const c = as<Awaited<ReturnType<typeof caseSummaryAnswer>>>(a)
          return `${fmt(c.cases)} instances, ${fmt(c.events)} events, ${c.activities} activities`
        },
      ),
    )
    out.push(
      await measure(
        'process map (processMapAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => processMapAnswer(store, PROCESS, logQuery(days), definition.rootKey),
        (a) => {
          const m = as<Awaited<ReturnType<typeof processMapAnswer>>>(a)
          return `${m.edges.length} edges, ${fmt(m.edges.reduce((s, e) => s + e.count, 0))} transitions`
        },
      ),
    )
    out.push(
      await measure(
        'sync lag (syncLagAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => syncLagAnswer(store, logQuery(days), new Date(NOW_MS)),
        (a) =>
          as<Awaited<ReturnType<typeof syncLagAnswer>>>(a)
            .pairs.map(
              (p) =>
                `${p.sourceSystem}->${p.targetSystem} ${p.entityType}: ${fmt(p.changes)} changes, p95 ${p.lagSeconds.p95?.toFixed(1)} s, ${fmt(p.pending)} pending`,
            )
            .join('; '),
      ),
    )
    if (days === 30) {
      out.push(
        await measure(
          'stuck list (stuckAnswer, 100 listed)',
          'now',
          SUMMARY_TARGET_MS,
          () => stuckAnswer(store, ctx(days)),
          (a) => {
            const s = as<Awaited<ReturnType<typeof stuckAnswer>>>(a)
            return `stuck ${fmt(s.stuck)}, unknown_late_data ${fmt(s.unknownLateData)}, value at risk ${s.valueAtRisk.map((v) => `${v.currency} ${fmt(v.amount)}`).join(', ')}`
          },
        ),
      )
    }
  }
  // Lookups of keys of every kind, of random orders; each call a different key.
  const keys = await queryRows<{ key: string }>(
    store,
    `SELECT key FROM (
       SELECT * FROM (SELECT concat('order_id=', Keys['order_id']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'opportunity.won' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('so_number=', Keys['so_number']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'credit_check.passed' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('delivery_id=', Keys['delivery_id']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'goods_issue.posted' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('invoice_no=', Keys['invoice_no']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'receivable.posted' ORDER BY h LIMIT {k:UInt32})
     ) ORDER BY h`,
    { k: Math.ceil((LOOKUPS + 1) / 4) },
    { tag: 'bench.lookup-keys' },
  )
  const keyAt = (i: number): string => keys[(i + 1) % keys.length]!.key
  out.push(
    await measure(
      'instance lookup by key (instanceAnswer)',
      `${LOOKUPS} keys`,
      LOOKUP_TARGET_MS,
      (i) => instanceAnswer(store, definition, keyAt(i)),
      (a) => {
        const l = as<Awaited<ReturnType<typeof instanceAnswer>>>(a)
        return `key types order_id, so_number, delivery_id, invoice_no; e.g. ${l.key}: ${l.instances[0]?.events.length ?? 0} events, ${l.instances[0]?.events.filter((e) => e.span !== null).length ?? 0} with spans`
      },
    ),
  )
  return out
}

// ---- where the time goes -----------------------------------------------------------------
// The unit costs the answers are made of, each timed alone (median of 3): one evaluation of
// the shared CTEs the KPI statements inline (ClickHouse inlines a WITH subquery at every
// reference), and the scans below them with and without FINAL.

async function diagnose(store: StoreConnection, definition: ProcessDefinition): Promise<void> {
  const lookback = DEFAULT_LOOKBACK_NS
  const fromNs = NOW_NS - 30n * BigInt(DAY_S) * NS
  const facts = instanceFactsCte({ definition, eventsFromNs: fromNs - lookback, eventsToNs: NOW_NS + 1n })
  const window30 = memberEventsCte({ process: PROCESS, rootKey: definition.rootKey, fromNs, toNs: NOW_NS })
  const scan = { process: PROCESS, fromNs: (fromNs - lookback).toString(), toNs: (NOW_NS + 1n).toString() }
  const syncScope = { scanFrom: (fromNs - BigInt(DAY_S) * NS).toString(), scanTo: (NOW_NS + BigInt(DAY_S) * NS).toString() }
  const units: Array<[string, string, QueryParams]> = [
    [
      'business_events, 120 d (30 d + 90 d lookback), no FINAL',
      'SELECT count() AS n FROM business_events WHERE Process = {process:String} AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}',
      scan,
    ],
    [
      'the same with FINAL',
      'SELECT count() AS n FROM business_events FINAL WHERE Process = {process:String} AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}',
      scan,
    ],
    [
      'the same with FINAL, filtered on Ts itself (prunes partitions)',
      "SELECT count() AS n FROM business_events FINAL WHERE Process = {process:String} AND Ts >= fromUnixTimestamp64Nano({fromNs:Int64}, 'UTC') AND Ts < fromUnixTimestamp64Nano({toNs:Int64}, 'UTC')",
      scan,
    ],
    ['instance_keys FINAL, whole process', 'SELECT count() AS n FROM instance_keys FINAL WHERE Process = {process:String}', scan],
    ['member_events of a 30 d window (case summary, map)', `WITH ${window30.sql} SELECT count() AS n FROM member_events`, window30.params],
    ['member_events, 120 d (facts input)', `WITH ${facts.sql} SELECT count() AS n FROM member_events`, facts.params],
    ['facts, 120 d: one evaluation', `WITH ${facts.sql} SELECT count() AS n FROM facts`, facts.params],
    [
      'otel_traces sync spans, 32 d scan (sync_spans)',
      "SELECT count() AS n FROM otel_traces WHERE Timestamp >= fromUnixTimestamp64Nano({scanFrom:Int64}) AND Timestamp < fromUnixTimestamp64Nano({scanTo:Int64}) AND SpanAttributes['sync.side'] IN ('change', 'apply')",
      syncScope,
    ],
  ]
  /** What one statement reads, scalar subqueries included (EXPLAIN leaves those out): the engine's counters before and after it. */
  const readBy = async (run: () => Promise<unknown>): Promise<{ rows: number; mib: number }> => {
    const counters = async (): Promise<Map<string, number>> =>
      new Map(
        (
          await queryRows<{ event: string; value: string }>(
            store,
            "SELECT event, value FROM system.events WHERE event IN ('SelectedRows', 'SelectedBytes')",
            {},
            { tag: 'bench.counters' },
          )
        ).map((r) => [r.event, Number(r.value)]),
      )
    const before = await counters()
    await run()
    const after = await counters()
    const delta = (event: string): number => (after.get(event) ?? 0) - (before.get(event) ?? 0)
    return { rows: delta('SelectedRows'), mib: delta('SelectedBytes') / 2 ** 20 }
  }
  console.log('\nunit costs, each run alone (median of up to 3 runs; result rows; rows and MiB read):')
  for (const [label, sql, params] of units) {
    const times: number[] = []
    let n = 0
    let timedOut = false
    let read = { rows: 0, mib: 0 }
    // Three runs unless one already took over 10 s.
    for (let i = 0; i < 3 && !timedOut && !times.some((t) => t > 10_000); i++) {
      read = await readBy(async () => {
        const run = await oneCall(async () => {
          const rows = await queryRows<{ n: string }>(store, sql, params, { tag: 'bench.diag' })
          n = Number(rows[0]?.n ?? 0)
        }, DIAGNOSE_TIMEOUT_S)
        timedOut = run.timedOut
        times.push(run.ms)
      })
    }
    const ms = timedOut
      ? `> ${fmt(DIAGNOSE_TIMEOUT_S * 1000)} ms (timed out)`
      : `${fmt(
          percentile(
            [...times].sort((x, y) => x - y),
            0.5,
          ),
        )} ms`
    line(`  ${label}`, `${ms}, ${fmt(n)} rows; read ${fmt(read.rows)} rows, ${fmt(read.mib)} MiB`)
  }
  if (!PROFILE_STATEMENTS) return
  console.log('\nevery kpi.* statement of the answers above, run alone once (rows and MiB read):')
  for (const [tag, statement] of [...statementOf].sort(([x], [y]) => (x < y ? -1 : 1))) {
    let run = { ms: 0, timedOut: false }
    const read = await readBy(async () => {
      run = await oneCall(() => queryRows(store, statement.query, statement.params, { tag }))
    })
    line(
      `  ${tag}`,
      `${run.timedOut ? `> ${fmt(TIMEOUT_S * 1000)}` : fmt(run.ms)} ms, ${run.timedOut ? '>= ' : ''}${fmt(read.rows)} rows, ${fmt(read.mib)} MiB`,
    )
  }
}

// ---- main --------------------------------------------------------------------------------

const load = await loadProcessDefinitions(fileURLToPath(new URL('../processes.d', import.meta.url)))
if (!load.ok) throw new Error(`processes.d: ${JSON.stringify(load.problems)}`)
const definition = load.definitions.find((d) => d.name === PROCESS)
if (definition === undefined) throw new Error(`processes.d has no ${PROCESS}`)

const dir = tempDir('bench-kpi')
// An interrupted run leaves no gigabytes behind in the temp directory.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    dir.remove()
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
  })
}
process.stdout.on('error', () => undefined)
const config = resolveConfig({ dataDir: dir.path })
const opened = createStoreClient(config)
try {
  await migrate(opened, config)
  const store: StoreConnection = { client: timedClient(opened.client) }
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
  line('load average (1, 5, 15 min) at the start', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', '))
  console.log(
    `data: ${fmt(INSTANCES)} ${PROCESS} orders over ${HISTORY_DAYS} days, ${fmt(SYNCS)} sync changes over ${SYNC_DAYS} days, now = ${new Date(NOW_MS).toISOString()}`,
  )
  console.log('generation (INSERT ... SELECT FROM numbers() in chunks of ' + fmt(CHUNK) + '):')
  resetPeakRss()
  const { value: generated, ms: genMs } = await timed(() => generate(store, definition))
  const genPeak = peakRssMiB()
  line('generated in', seconds(genMs))
  line('business events', fmt(generated.events))
  line('otel_traces: order spans / sync spans', `${fmt(generated.orderSpans)} / ${fmt(generated.syncSpans)}`)
  line('instance_keys / key_edges rows', `${fmt(generated.instanceKeys)} / ${fmt(generated.keyEdges)}`)
  line('peak RSS during generation', `${genPeak.toFixed(0)} MiB`)
  const settled = await settleMerges(store, 10 * 60_000)
  line('background merges settled in', `${seconds(settled.ms)}${settled.pending > 0 ? ` (${settled.pending} still running)` : ''}`)
  line('stored', await partCounts(store))
  const sample = await correlateSample(store, definition)
  if (sample.events > 0) {
    line(
      `real correlator over ${fmt(CORRELATE_SAMPLE)} orders' events`,
      `${fmt(sample.events)} events in ${seconds(sample.ms)} (${fmt(sample.events / (sample.ms / 1000))} events/s), ${fmt(sample.walked)} nodes walked, ${sample.repointed} repointed`,
    )
    line('  -> whole store at that rate', seconds((generated.events / sample.events) * sample.ms))
    if (sample.repointed > 0) console.log('  WARNING: the correlator repointed nodes: generated instance_keys differ from what it computes')
  }
  resetPeakRss()
  const results = await runBenchmarks(store, definition)
  const queryPeak = peakRssMiB()
  line('peak RSS during the answers', `${queryPeak.toFixed(0)} MiB`)
  line('time series', 'not measured: no time-series answer builder exists in api/ yet')
  await diagnose(store, definition)
  line('load average (1, 5, 15 min) at the end', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', '))
  console.log('\n| endpoint | window | runs | p50 ms | p95 ms | max ms | CPU s | target | |\n|---|---|---|---|---|---|---|---|---|')
  for (const m of results) {
    const verdict = m.targetMs === null ? '' : !m.timedOut && m.p95 <= m.targetMs ? 'PASS' : '**MISS**'
    const ms = (v: number): string => (m.timedOut ? `> ${fmt(TIMEOUT_S * 1000)}` : fmt(v))
    console.log(
      `| ${m.endpoint} | ${m.window} | ${m.runs} | ${ms(m.p50)} | ${ms(m.p95)} | ${ms(m.max)} | ${m.cpu.toFixed(1)} | <= ${m.targetMs} | ${verdict} |`,
    )
  }
} finally {
  await opened.close()
  dir.remove()
}
