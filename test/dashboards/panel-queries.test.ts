// Every panel query of the generated dashboards, sent as Grafana sends it (variables
// interpolated, then the ClickHouse plugin's macros expanded), runs on chDB against two
// simulated hours of the lead-to-cash demo and returns rows; where a panel shows a KPI the API
// also serves, it shows the API's numbers for the same range, because it runs the same SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFaultSpec } from '../../demo/index.ts'
import { generateDashboards, grafanaQueryText, type GrafanaQueryContext } from '../../dashboards/index.ts'
import { onWallClock } from '../../dashboards/process-overview.ts'
import {
  cycleTime,
  integrationHealth,
  loadProcessDefinitions,
  processMap,
  slaAttainment,
  stageDurations,
  throughput,
  type ProcessDefinition,
} from '../../processes/index.ts'
import { dateTime64Text, insertJsonEachRow, queryRows } from '../../store/index.ts'
import { simulate, type Simulated } from '../demo/simulation.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
let sim: Simulated
let definitions: readonly ProcessDefinition[]
let context: GrafanaQueryContext

interface PanelQuery {
  readonly dashboard: string
  readonly panel: string
  readonly refId: string
  readonly rawSql: string
}

interface JsonObject {
  [key: string]: unknown
}
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

function panelQueries(): PanelQuery[] {
  const out: PanelQuery[] = []
  for (const [path, content] of generateDashboards(definitions)) {
    if (!path.endsWith('.json')) continue
    const board: unknown = JSON.parse(content)
    const panels = isObject(board) && Array.isArray(board.panels) ? (board.panels as unknown[]) : []
    for (const panel of panels) {
      if (!isObject(panel) || !Array.isArray(panel.targets)) continue
      for (const target of panel.targets as unknown[]) {
        if (isObject(target)) out.push({ dashboard: path, panel: String(panel.title), refId: String(target.refId), rawSql: String(target.rawSql) })
      }
    }
  }
  return out
}

async function run<T = Record<string, unknown>>(query: PanelQuery): Promise<T[]> {
  return queryRows<T>(sim.running.store, grafanaQueryText(query.rawSql, context), {}, { tag: 'test.dashboards.panel' })
}

function panel(title: string, refId = 'A'): PanelQuery {
  const found = panelQueries().find((q) => q.panel === title && q.refId === refId)
  if (found === undefined) throw new Error(`no panel titled ${title}`)
  return found
}

const ms = (at: number): string => dateTime64Text(BigInt(at) * 1_000_000n)

beforeAll(async () => {
  // lead-to-cash.test.ts's run: seed 11, 25 orders an hour for two hours, the ERP down from
  // 45 to 75 minutes in; customer master-data changes feed the sync-lag panels, and their
  // applies slow down for the last hour so changes are still pending at the end.
  sim = await simulate({
    seed: 11,
    historyMs: 2 * HOUR,
    ordersPerHour: 25,
    customerChangesPerHour: 30,
    faults: [parseFaultSpec('erp_down@45m+30m'), parseFaultSpec('slow_sync@1h+1h')],
  })
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(JSON.stringify(load.problems))
  definitions = load.definitions
  const { fromMs, toMs } = sim.summary
  // One alert episode: firing 50 minutes in, acknowledged 2 minutes later, resolved 20 minutes
  // after firing (MTTA 120 s, MTTR 1,200 s); and one alert firing now.
  const fired = fromMs + 50 * MINUTE
  const episode = `fp-erp:${fired}`
  const labels = { system: 'ERP' }
  const state = (fingerprint: string, episodeId: string, s: string, firingSinceMs: number, resolvedMs: number) => ({
    Fingerprint: fingerprint,
    RuleId: 'erp_down',
    Labels: labels,
    State: s,
    EpisodeId: episodeId,
    ImpactStartMs: firingSinceMs,
    PendingSinceMs: firingSinceMs,
    FiringSinceMs: firingSinceMs,
    RecoveringSinceMs: 0,
    ConditionClearedMs: 0,
    ResolvedMs: resolvedMs,
    ResolveReason: resolvedMs === 0 ? '' : 'condition_cleared',
    UnknownSinceMs: 0,
    LastResult: 'ok',
    LastValue: 0.5,
    LastEvaluatedMs: toMs,
    Details: JSON.stringify({ summary: 'the ERP answers 5xx' }),
    Version: 1,
  })
  const rows = (objects: object[]) => `${objects.map((o) => JSON.stringify(o)).join('\n')}\n`
  await insertJsonEachRow(
    sim.running.store,
    'alert_states',
    rows([state('fp-erp', episode, 'resolved', fired, fired + 20 * MINUTE), state('fp-wms', `fp-wms:${toMs - 5 * MINUTE}`, 'firing', toMs - 5 * MINUTE, 0)]),
  )
  const transition = (at: number, from: string, to: string) => ({
    At: ms(at),
    Fingerprint: 'fp-erp',
    EpisodeId: episode,
    RuleId: 'erp_down',
    Labels: labels,
    FromState: from,
    ToState: to,
    Reason: 'evaluation',
    EventTimeMs: at,
    Value: 0.5,
    Details: '{}',
  })
  await insertJsonEachRow(
    sim.running.store,
    'alert_transitions',
    rows([transition(fired - MINUTE, 'inactive', 'pending'), transition(fired, 'pending', 'firing'), transition(fired + 20 * MINUTE, 'firing', 'resolved')]),
  )
  await insertJsonEachRow(
    sim.running.store,
    'alert_actions',
    rows([{ At: ms(fired + 2 * MINUTE), Action: 'ack', Actor: 'ops', Fingerprint: 'fp-erp', EpisodeId: episode, SilenceId: '', Text: '', Details: '{}' }]),
  )
  const order = sim.summary.report.orders.find((o) => o.soNumber !== undefined)
  context = {
    fromMs,
    toMs,
    intervalMs: MINUTE,
    variables: {
      process: definitions.map((d) => d.name),
      version: '1',
      tenant: '',
      // Found by its ERP number, a key the correlator linked to the order.
      business_key: `so_number=${order?.soNumber ?? ''}`,
      api_url: 'http://localhost:8080',
    },
  }
}, 180_000)

afterAll(async () => {
  await sim.running.close()
})

describe('the dashboards on the demo', () => {
  it("run every panel query as Grafana sends it and return rows; other processes' rows parse", async () => {
    const queries = panelQueries()
    expect(queries.length).toBeGreaterThan(20)
    // The demo runs lead to cash only: the rows of other processes would be empty, and their
    // statements cost seconds each to analyse even then (the SQL is the same code with other
    // literals), so those are only parsed after expansion (EXPLAIN AST).
    const others = definitions.map((d) => d.name).filter((name) => name !== 'lead_to_cash')
    const failed: string[] = []
    const empty: string[] = []
    for (const query of queries) {
      const where = `${query.dashboard}: ${query.panel} (${query.refId})`
      const elsewhere = others.some((name) => query.panel.startsWith(`${name}:`))
      try {
        if (elsewhere) {
          await queryRows(sim.running.store, `EXPLAIN AST ${grafanaQueryText(query.rawSql, context)}`, {}, { tag: 'test.dashboards.parse' })
          continue
        }
        const rows = await run(query)
        if (rows.length === 0) empty.push(where)
      } catch (err) {
        failed.push(`${where}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    expect(failed).toEqual([])
    expect(empty).toEqual([])
  }, 240_000)

  it('show the API numbers for the same range: throughput, cycle time, stage durations, integration health', async () => {
    const definition = sim.definition
    const window = { fromNs: sim.ns(context.fromMs), toNs: sim.ns(context.toMs) }
    const nowNs = window.toNs

    // Throughput: every won opportunity arrived in the range (the demo's own count: 52 for seed 11).
    const arrivals = await run<{ arrivals: string }>(panel('lead_to_cash: throughput per hour'))
    const api = await throughput(sim.running.store, { definition, window, nowNs, bucket: 'hour' })
    expect(arrivals.reduce((n, r) => n + Number(r.arrivals), 0)).toBe(sim.summary.report.ordersWon)
    expect(api.totals.arrivals).toBe(sim.summary.report.ordersWon)

    const [ct] = await run<{ completed: string; p50: number | null; p90: number | null }>(panel('lead_to_cash: cycle time (completed in range)'))
    const apiCt = await cycleTime(sim.running.store, { definition, window, nowNs })
    expect({ completed: Number(ct?.completed), p50: ct?.p50 ?? null, p90: ct?.p90 ?? null }).toEqual({
      completed: apiCt.completion.count,
      p50: apiCt.completion.p50,
      p90: apiCt.completion.p90,
    })

    const stages = await run<{ from_milestone: string; to_milestone: string; count: string }>(panel('lead_to_cash: stage durations'))
    const apiStages = await stageDurations(sim.running.store, { definition, window, nowNs })
    const counted = (rows: ReadonlyArray<{ from: string; to: string; count: number }>) =>
      rows
        .filter((r) => r.count > 0)
        .map((r) => `${r.from} -> ${r.to}: ${r.count}`)
        .sort()
    expect(counted(stages.map((r) => ({ from: r.from_milestone, to: r.to_milestone, count: Number(r.count) })))).toEqual(counted(apiStages.stages))

    // Integration health: the ERP attempts the demo counted (created, refused 422, 503 and timed out).
    const health = await run<{ integration: string; endpoint: string; calls: string; retries: string }>(
      panel('Latency, success and operation outcomes per endpoint'),
    )
    const erp = health.find((r) => r.integration === 'crm-to-erp-orders' && r.endpoint === 'POST A_SalesOrder')
    const attempts = sim.summary.report.counters.erpAttempts
    expect(Number(erp?.calls)).toBe(attempts.created + attempts.rejected + attempts.unavailable + attempts.timeout)
    const apiHealth = await integrationHealth(sim.running.store, { fromNs: window.fromNs, toNs: window.toNs, now: new Date(context.toMs) })
    expect(health.map((r) => `${r.integration} ${r.endpoint} ${r.calls} ${r.retries}`).sort()).toEqual(
      apiHealth.map((r) => `${r.integration} ${r.endpoint} ${r.calls} ${r.retries}`).sort(),
    )
  }, 120_000)

  it('draws the process map from the KPI edges: every edge between two listed nodes, counted as the API counts', async () => {
    const nodes = await run<{ id: string; title: string }>(panel('lead_to_cash: process map', 'nodes'))
    const edges = await run<{ id: string; source: string; target: string; mainstat: string }>(panel('lead_to_cash: process map', 'edges'))
    const ids = new Set(nodes.map((n) => n.id))
    expect(edges.filter((e) => !ids.has(e.source) || !ids.has(e.target))).toEqual([])
    const api = await processMap(sim.running.store, {
      process: 'lead_to_cash',
      rootKey: 'order_id',
      fromNs: sim.ns(context.fromMs),
      toNs: sim.ns(context.toMs),
    })
    expect(edges.map((e) => `${e.source} -> ${e.target}: ${e.mainstat}`).sort()).toEqual(api.map((e) => `${e.from} -> ${e.to}: ${e.count}`).sort())
    // Lead to cash starts with the won opportunity, answered by a created or a rejected order.
    expect(edges.map((e) => e.id)).toContain('opportunity.won -> sales_order.created')
  }, 60_000)

  it("leaves a process's row empty when the process variable does not select it", async () => {
    const query = panel('lead_to_cash: instances by business key')
    const others = { ...context, variables: { ...context.variables, process: definitions.map((d) => d.name).filter((n) => n !== 'lead_to_cash') } }
    const rows = await queryRows(sim.running.store, grafanaQueryText(query.rawSql, others), {}, { tag: 'test.dashboards.panel' })
    expect(rows).toEqual([])
  }, 60_000)

  it('filters the integration panels by the tenant variable: the demo sets no tenant.id, so another tenant has no calls', async () => {
    const query = panel('Error rates by class, retries and dead letters per integration')
    expect((await run(query)).length).toBeGreaterThan(0)
    const acme = { ...context, variables: { ...context.variables, tenant: 'acme' } }
    expect(await queryRows(sim.running.store, grafanaQueryText(query.rawSql, acme), {}, { tag: 'test.dashboards.panel' })).toEqual([])
  }, 60_000)

  it("filters the process panels by the version and tenant variables, as the API's ?version= and ?tenant= do; All ('') is every instance", async () => {
    const arrivalsWith = async (variables: Readonly<Record<string, string>>): Promise<number> => {
      const query = panel('lead_to_cash: throughput per hour')
      const rows = await queryRows<{ arrivals: string }>(
        sim.running.store,
        grafanaQueryText(query.rawSql, { ...context, variables: { ...context.variables, ...variables } }),
        {},
        { tag: 'test.dashboards.panel' },
      )
      return rows.reduce((n, r) => n + Number(r.arrivals), 0)
    }
    const orderEntryWith = async (variables: Readonly<Record<string, string>>): Promise<string> => {
      const query = panel('lead_to_cash: SLA attainment and at risk')
      const rows = await queryRows<{ sla: string; met: string; at_risk: string }>(
        sim.running.store,
        grafanaQueryText(query.rawSql, { ...context, variables: { ...context.variables, ...variables } }),
        {},
        { tag: 'test.dashboards.panel' },
      )
      const row = rows.find((r) => r.sla === 'order_entry')
      return `met ${row?.met}, at risk ${row?.at_risk}`
    }
    // The demo's events are of version 1 and carry no tenant.id.
    expect(await arrivalsWith({ version: '' })).toBe(sim.summary.report.ordersWon)
    expect(await arrivalsWith({ version: '1' })).toBe(sim.summary.report.ordersWon)
    expect(await arrivalsWith({ version: '2' })).toBe(0)
    expect(await arrivalsWith({ tenant: 'acme' })).toBe(0)
    // In this range one order met its order-entry SLA and one is at risk (the API says the same).
    const definition = sim.definition
    const window = { fromNs: sim.ns(context.fromMs), toNs: sim.ns(context.toMs) }
    const [api] = await slaAttainment(sim.running.store, { definition: onWallClock(definition), window, nowNs: window.toNs }, 'order_entry')
    expect(`met ${api?.met}, at risk ${api?.atRisk}`).toBe('met 1, at risk 1')
    expect(await orderEntryWith({ version: '' })).toBe('met 1, at risk 1')
    expect(await orderEntryWith({ version: '2' })).toBe('met 0, at risk 0')
    expect(await orderEntryWith({ tenant: 'acme' })).toBe('met 0, at risk 0')
  }, 60_000)

  it('finds the order by its ERP number and shows MTTA and MTTR of the alert episode', async () => {
    const order = sim.summary.report.orders.find((o) => o.soNumber !== undefined)
    const found = await run<{ instance: string }>(panel('lead_to_cash: instances by business key'))
    expect(found.map((r) => r.instance)).toEqual([order?.orderId])
    const [kpis] = await run<{ rule: string; episodes: string; mtta_seconds: number; mttr_seconds: number }>(panel('MTTA and MTTR per rule'))
    // Acknowledged 2 minutes and resolved 20 minutes after firing (the rows inserted above).
    expect(kpis).toMatchObject({ rule: 'erp_down', episodes: '1', mtta_seconds: 120, mttr_seconds: 1200 })
    const [firing] = await run<{ firing: string }>(panel('Firing'))
    expect(Number(firing?.firing)).toBe(1)
  }, 60_000)
})
