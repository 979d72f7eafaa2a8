// For the demo tests: runs a seeded simulation into a real collector (its own chDB data
// directory), waits until every acknowledged record is stored, and derives the lead-to-cash
// business events with the shipped definition, over everything ingested.
import { collectorSink, runDemo, type DemoOptions, type DemoSummary } from '../../demo/index.ts'
import { derivePass, loadProcessDefinitions, type ProcessDefinition } from '../../processes/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

export interface Simulated {
  readonly running: RunningCollector
  readonly summary: DemoSummary
  readonly definition: ProcessDefinition
  /** The simulation's end, in ns: the "now" of the KPIs. */
  readonly endNs: bigint
  readonly ns: (ms: number) => bigint
}

export type SimulationOptions = Omit<DemoOptions, 'scenario' | 'sink' | 'speed' | 'durationMs'>

export async function leadToCashDefinition(): Promise<ProcessDefinition> {
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(`processes.d does not load: ${JSON.stringify(load.problems)}`)
  const definition = load.definitions.find((d) => d.name === 'lead_to_cash')
  if (definition === undefined) throw new Error('processes.d has no lead_to_cash')
  return definition
}

export async function simulate(options: SimulationOptions): Promise<Simulated> {
  const running = await startCollector()
  const summary = await runDemo({ ...options, scenario: 'lead-to-cash', sink: collectorSink(running.url), speed: 'max', durationMs: 0 })
  if (summary.telemetry.exportFailures > 0 || summary.events.failures > 0) {
    throw new Error(`the collector refused data: ${summary.telemetry.lastExportError ?? summary.events.lastError ?? ''}`)
  }
  await running.waitForRows('otel_traces', summary.telemetry.spans)
  await running.waitForRows('otel_logs', summary.telemetry.logRecords)
  const definition = await leadToCashDefinition()
  await derivePass(running.store, definition, { by: 'ingested', fromMs: 0, toMs: Date.now() + 1_000 })
  const ns = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n
  return { running, summary, definition, endNs: ns(summary.toMs), ns }
}
