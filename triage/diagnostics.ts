// Runs a runbook's diagnostics for an alert (its automatic ones when it fires and when it
// resolves; any of them when an operator asks) and records each result in alert_diagnostics.
// A step that fails becomes a finding with its error: triage never stops a notification.
import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from '../core/index.ts'
import type { DiagnosticFinding } from '../notify/index.ts'
import { dateTime64Text, insertJsonEachRow, type StoreClient } from '../store/index.ts'
import type { AlertContext, DiagnosticStep, Runbook } from './model.ts'
import { bindParameters } from './parameters.ts'
import { errorText, selectReadOnly } from './read-only-rows.ts'

/** When the diagnostics run: fired and resolved run the auto=true steps, manual any. */
export type DiagnosticPhase = 'fired' | 'resolved' | 'manual'

export interface DiagnosticsOptions {
  /** Only these steps (by name); an unknown name yields a finding with an error. */
  readonly steps?: readonly string[]
  /** Told when the results could not be recorded; the findings are returned all the same. */
  readonly logger?: Pick<Logger, 'warn'>
  /** Milliseconds since the epoch; tests fix it. */
  readonly now?: () => number
}

/** The diagnostic steps a phase runs, and a finding for every asked-for name that is not one. */
function selectSteps(
  runbook: Runbook,
  phase: DiagnosticPhase,
  names: readonly string[] | undefined,
): { steps: DiagnosticStep[]; unknown: DiagnosticFinding[] } {
  const diagnostics = runbook.steps.filter((step): step is DiagnosticStep => step.kind === 'diagnostic')
  const eligible = phase === 'manual' ? diagnostics : diagnostics.filter((step) => step.auto)
  if (names === undefined) return { steps: eligible, unknown: [] }
  const unknown = names
    .filter((name) => !eligible.some((step) => step.name === name))
    .map((name) => ({
      step: name,
      title: name,
      rows: [],
      truncated: false,
      error: `runbook '${runbook.id}' has no ${phase === 'manual' ? '' : 'automatic '}diagnostic step named '${name}'`,
      durationMs: 0,
    }))
  return { steps: eligible.filter((step) => names.includes(step.name)), unknown }
}

async function runStep(client: ClickHouseClient, runbook: Runbook, step: DiagnosticStep, alert: AlertContext): Promise<DiagnosticFinding> {
  const started = performance.now()
  const finding = (rest: Pick<DiagnosticFinding, 'rows' | 'truncated'> & { error?: string }): DiagnosticFinding => ({
    step: step.name,
    title: step.title,
    ...rest,
    durationMs: Math.round(performance.now() - started),
  })
  const bound = bindParameters(step.parameters, alert)
  if (!bound.ok) return finding({ rows: [], truncated: false, error: bound.message })
  try {
    const tag = `triage.diagnostic.${runbook.id}.${step.name}`
    return finding(await selectReadOnly(client, step.code, bound.params, { timeoutMs: step.timeoutMs, maxRows: step.maxRows, tag }))
  } catch (error) {
    return finding({ rows: [], truncated: false, error: errorText(error) })
  }
}

async function record(
  store: StoreClient,
  runbook: Runbook,
  alert: AlertContext,
  phase: DiagnosticPhase,
  findings: readonly DiagnosticFinding[],
  at: number,
): Promise<void> {
  const body = findings
    .map((f) =>
      JSON.stringify({
        At: dateTime64Text(BigInt(at) * 1_000_000n),
        EpisodeId: alert.episodeId,
        Fingerprint: alert.fingerprint,
        Runbook: runbook.id,
        Step: f.step,
        Phase: phase,
        Rows: JSON.stringify(f.rows),
        Truncated: f.truncated,
        Error: f.error ?? '',
        DurationMs: f.durationMs,
      }),
    )
    .join('\n')
  await insertJsonEachRow(store, 'alert_diagnostics', `${body}\n`, { tag: 'triage.record-diagnostics' })
}

/**
 * Runs the diagnostics one after another (each bounded by its timeout), records them and
 * returns the findings in the runbook's order. Never throws.
 */
export async function runDiagnostics(
  store: StoreClient,
  runbook: Runbook,
  alert: AlertContext,
  phase: DiagnosticPhase,
  options: DiagnosticsOptions = {},
): Promise<DiagnosticFinding[]> {
  const at = (options.now ?? Date.now)()
  const { steps, unknown } = selectSteps(runbook, phase, options.steps)
  const findings: DiagnosticFinding[] = []
  for (const step of steps) {
    try {
      // A session per step: chDB hands the rows a failed (timed-out) statement had already
      // produced to the next statement of the same session, so a session is never reused.
      findings.push(await store.withIsolatedSession((client) => runStep(client, runbook, step, alert)))
    } catch (error) {
      // The read-only session itself could not be had (the store is down).
      findings.push({ step: step.name, title: step.title, rows: [], truncated: false, error: errorText(error), durationMs: 0 })
    }
  }
  findings.push(...unknown)
  if (findings.length === 0) return findings
  try {
    await record(store, runbook, alert, phase, findings, at)
  } catch (error) {
    options.logger?.warn({ err: error, runbook: runbook.id, episodeId: alert.episodeId }, 'triage: could not record diagnostic results')
  }
  return findings
}
