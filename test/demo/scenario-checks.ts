// Checks every demo scenario's test makes the same way: telemetry stored twice by the
// duplicate-deliveries fault, process-map transitions the flow does not allow (clock skew),
// and a runbook's automatic diagnostics run for the alert a rule raises at a moment.
import { expect } from 'vitest'
import { processMap, type ProcessDefinition } from '../../processes/index.ts'
import type { Sample } from '../../rules/index.ts'
import { queryRows, type StoreClient } from '../../store/index.ts'
import { runDiagnostics, type Runbook } from '../../triage/index.ts'

/**
 * Spans stored more than once (by id) plus log records stored more than once (by content),
 * leaving out `batchService`, whose records legitimately repeat.
 */
export async function storedTwice(store: StoreClient, batchService: string): Promise<number> {
  const [spans] = await queryRows<{ rows: string; distinct: string }>(
    store,
    'SELECT count() AS rows, uniqExact(TraceId, SpanId) AS distinct FROM otel_traces',
    {},
    { tag: 'test.demo.dup-spans' },
  )
  const [logs] = await queryRows<{ rows: string; distinct: string }>(
    store,
    'SELECT count() AS rows, uniqExact(Timestamp, TraceId, SpanId, Body, LogAttributes) AS distinct FROM otel_logs WHERE ServiceName != {batch:String}',
    { batch: batchService },
    { tag: 'test.demo.dup-logs' },
  )
  return Number(spans!.rows) - Number(spans!.distinct) + Number(logs!.rows) - Number(logs!.distinct)
}

/** Transitions in the process map over [fromNs, toNs) that the flow does not allow, among those touching a milestone `touches` accepts. */
export async function disallowedTransitions(
  store: StoreClient,
  definition: ProcessDefinition,
  window: { readonly fromNs: bigint; readonly toNs: bigint },
  touches: (milestone: string) => boolean,
): Promise<number> {
  const allowed = new Set(definition.flow.edges.map((e) => `${e.from} -> ${e.to}`))
  return (await processMap(store, { process: definition.name, rootKey: definition.rootKey, ...window }))
    .filter((e) => !allowed.has(`${e.from} -> ${e.to}`) && (touches(e.from) || touches(e.to)))
    .reduce((n, e) => n + e.count, 0)
}

/**
 * A runbook's automatic diagnostics for the alert rule `ruleId` raises at `startMs + offset`
 * (its window the `windowMs` before), by step: the rows each found. A step that fails fails the test.
 */
export function diagnoser(
  store: StoreClient,
  runbooks: readonly Runbook[],
  evaluate: (ruleId: string, offset: number) => Promise<Sample[]>,
  startMs: number,
): (runbookId: string, ruleId: string, offset: number, windowMs: number) => Promise<Record<string, number>> {
  return async (runbookId, ruleId, offset, windowMs) => {
    const runbook = runbooks.find((r) => r.id === runbookId)!
    const [sample] = await evaluate(ruleId, offset)
    const alert = {
      ruleId,
      fingerprint: `test-${ruleId}`,
      episodeId: `test-${ruleId}-1`,
      labels: sample!.labels,
      windowStart: new Date(startMs + offset - windowMs).toISOString(),
      windowEnd: new Date(startMs + offset).toISOString(),
      firedAt: new Date(startMs + offset).toISOString(),
    }
    const findings = await runDiagnostics(store, runbook, alert, 'fired', { now: () => startMs + offset })
    for (const finding of findings) expect(finding.error, `${runbookId}.${finding.step}`).toBeUndefined()
    return Object.fromEntries(findings.map((f) => [f.step, f.rows.length]))
  }
}
