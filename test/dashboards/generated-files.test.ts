// The checked-in dashboards and provisioning files are exactly what `npm run dashboards`
// writes from processes.d now, and each dashboard has the shape of the foundation SDK's types.
// The SDK ships TypeScript types and default objects but no runtime validator, so the
// structure is checked against what it exports: the defaults of Dashboard, Panel, RowPanel
// and VariableModel, each panel kind's id and default options, and the ClickHouse target shape.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultDashboard, defaultGridPos, defaultPanel, defaultRowPanel, defaultVariableModel } from '@grafana/grafana-foundation-sdk/dashboard'
import * as nodegraph from '@grafana/grafana-foundation-sdk/nodegraph'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as table from '@grafana/grafana-foundation-sdk/table'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { CLICKHOUSE_PLUGIN, DATASOURCE, generateDashboards, PLUGIN_MACROS } from '../../dashboards/index.ts'
import { loadProcessDefinitions } from '../../processes/index.ts'

const dir = 'dashboards'

async function freshFiles(): Promise<Map<string, string>> {
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(`processes.d does not load: ${JSON.stringify(load.problems)}`)
  return generateDashboards(load.definitions)
}

interface JsonObject {
  [key: string]: unknown
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v)

/** Every field the SDK's default object sets is present with the same JSON kind. */
function expectDefaultsShape(actual: JsonObject, defaults: object, where: string): void {
  for (const [key, value] of Object.entries(defaults)) {
    expect(kindOf(actual[key]), `${where}.${key}`).toBe(kindOf(value))
  }
}

// Each panel kind the SDK builds, by its plugin id, with its default options.
const PANEL_KINDS: Readonly<Record<string, object>> = {
  [new timeseries.PanelBuilder().build().type]: timeseries.defaultOptions(),
  [new stat.PanelBuilder().build().type]: stat.defaultOptions(),
  [new table.PanelBuilder().build().type]: table.defaultOptions(),
  [new nodegraph.PanelBuilder().build().type]: nodegraph.defaultOptions(),
}

describe('the generated dashboards', () => {
  it('equal a fresh generation from processes.d (run `npm run dashboards` after changing a KPI or a definition)', async () => {
    const files = await freshFiles()
    for (const [path, content] of files) expect(readFileSync(join(dir, path), 'utf8'), path).toBe(content)
    // Nothing stale: generated/ holds exactly the dashboards generated now.
    const generated = readdirSync(join(dir, 'generated')).map((name) => `generated/${name}`)
    expect(generated.sort()).toEqual([...files.keys()].filter((p) => p.startsWith('generated/')).sort())
  })

  it('have the SDK Dashboard shape, SDK panel kinds with SDK options, and ClickHouse SQL targets', async () => {
    const files = await freshFiles()
    const dashboards = [...files].filter(([path]) => path.endsWith('.json'))
    expect(dashboards.map(([path]) => path).sort()).toEqual([
      'generated/alerts-and-incidents.json',
      'generated/integrations.json',
      'generated/process-drill-down.json',
      'generated/process-overview.json',
    ])
    const uids = new Set<string>()
    for (const [path, content] of dashboards) {
      const board: unknown = JSON.parse(content)
      if (!isObject(board)) throw new Error(`${path}: not an object`)
      expectDefaultsShape(board, defaultDashboard(), path)
      expect(typeof board.uid).toBe('string')
      uids.add(String(board.uid))
      const templating = board.templating
      if (!isObject(templating)) throw new Error(`${path}: templating missing`)
      // The SDK leaves out list when a dashboard has no variables.
      const variables = new Set<string>()
      for (const v of (templating.list ?? []) as unknown[]) {
        if (!isObject(v)) throw new Error(`${path}: a variable is not an object`)
        expectDefaultsShape(v, defaultVariableModel(), `${path} variable ${String(v.name)}`)
        variables.add(String(v.name))
      }
      const panels = board.panels
      if (!Array.isArray(panels)) throw new Error(`${path}: panels missing`)
      const ids = new Set<number>()
      for (const panel of panels as unknown[]) {
        if (!isObject(panel)) throw new Error(`${path}: a panel is not an object`)
        const where = `${path} panel ${String(panel.title)}`
        ids.add(Number(panel.id))
        if (!isObject(panel.gridPos)) throw new Error(`${where}: no gridPos`)
        expectDefaultsShape(panel.gridPos, defaultGridPos(), `${where}.gridPos`)
        expect(Number(panel.gridPos.x) + Number(panel.gridPos.w), `${where} fits 24 columns`).toBeLessThanOrEqual(24)
        if (panel.type === 'row') {
          expectDefaultsShape(panel, defaultRowPanel(), where)
          continue
        }
        expectDefaultsShape(panel, defaultPanel(), where)
        const options = PANEL_KINDS[String(panel.type)]
        if (options === undefined) throw new Error(`${where}: type ${String(panel.type)} is no SDK panel kind used here`)
        if (!isObject(panel.options)) throw new Error(`${where}: no options`)
        for (const key of Object.keys(panel.options)) expect(Object.keys(options), `${where} option ${key}`).toContain(key)
        expect(panel.datasource).toEqual(DATASOURCE)
        if (!Array.isArray(panel.targets) || panel.targets.length === 0) throw new Error(`${where}: no targets`)
        const refIds = new Set<string>()
        for (const target of panel.targets as unknown[]) {
          if (!isObject(target)) throw new Error(`${where}: a target is not an object`)
          expect(target).toMatchObject({ datasource: { type: CLICKHOUSE_PLUGIN }, editorType: 'sql', queryType: expect.stringMatching(/^(table|timeSeries)$/) })
          expect(typeof target.rawSql === 'string' && target.rawSql.length > 0, `${where}: rawSql`).toBe(true)
          // No bound parameter may reach Grafana: the plugin would send it to ClickHouse unbound.
          expect(String(target.rawSql), where).not.toMatch(/(?<!\$)\{[A-Za-z_]\w*:[^{}]+\}/)
          // Grafana's variable syntaxes ($name, ${name...}, [[name]]): each names a variable of
          // this dashboard or a macro of the plugin; anything else would reach ClickHouse as is.
          const references = [...String(target.rawSql).matchAll(/\$\{(\w+)[^}]*\}|\$(\w+)|\[\[(\w+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
          const unknown = references.filter((name) => !(name.startsWith('__') ? PLUGIN_MACROS.includes(name.slice(2)) : variables.has(name)))
          expect(unknown, `${where}: unknown variables or macros`).toEqual([])
          refIds.add(String(target.refId))
        }
        expect(refIds.size, `${where}: distinct refIds`).toBe(panel.targets.length)
      }
      expect(ids.size, `${path}: distinct panel ids`).toBe(panels.length)
    }
    expect(uids.size).toBe(dashboards.length)
  })

  it('provision the ClickHouse plugin over HTTP with the settings the KPI SQL needs, and the generated folder', async () => {
    const files = await freshFiles()
    const datasources: unknown = parse(files.get('provisioning/datasources/throughline.yaml') ?? '')
    expect(datasources).toMatchObject({
      apiVersion: 1,
      datasources: [
        {
          uid: DATASOURCE.uid,
          type: 'grafana-clickhouse-datasource',
          jsonData: { protocol: 'http' },
        },
      ],
    })
    const providers: unknown = parse(files.get('provisioning/dashboards/throughline.yaml') ?? '')
    expect(providers).toMatchObject({ apiVersion: 1, providers: [{ type: 'file', options: { path: '/etc/grafana/dashboards/throughline' } }] })
  })
})
