// Runs a runbook's action step when an operator asks: never by itself, always with a named
// actor, and audited in alert_actions twice: before it runs (so even a run that dies midway
// is on record) and with its outcome after. Executors are keyed by the step's language.
import { randomUUID } from 'node:crypto'
import { ErrorCode, ThroughlineError } from '../core/index.ts'
import { dateTime64Text, insertJsonEachRow, type StoreClient } from '../store/index.ts'
import type { ActionStep, AlertContext, Runbook } from './model.ts'
import { bindParameters } from './parameters.ts'
import { errorText } from './read-only-rows.ts'
import { trimStatement } from './sql-text.ts'

export type ActionOutcome = { readonly status: 'succeeded'; readonly output: string } | { readonly status: 'failed'; readonly error: string }

export type ActionResult = ActionOutcome & { readonly runId: string; readonly durationMs: number }

/** Carries out one action step with its parameters bound; may throw (recorded as failed). */
export type ActionExecutor = (store: StoreClient, step: ActionStep, params: Readonly<Record<string, string>>) => Promise<ActionOutcome>

export interface ActionRequest {
  readonly runbook: Runbook
  readonly step: string
  readonly alert: AlertContext
  /** Who runs it (the operator's user name); required. */
  readonly actor: string
  readonly comment?: string
}

/** SQL actions: one statement with the alert's labels bound, within the step's timeout. */
export const sqlAction: ActionExecutor = async (store, step, params) => {
  const summary = await store.withIsolatedSession(async (client) => {
    const result = await client.command({
      query: trimStatement(step.code),
      query_params: params,
      clickhouse_settings: {
        max_execution_time: step.timeoutMs / 1000,
        log_comment: `throughline:triage.action.${step.name}`,
        insert_deduplication_token: '',
      },
    })
    return result.summary
  })
  return { status: 'succeeded', output: summary?.written_rows === undefined ? 'done' : `${summary.written_rows} rows written` }
}

export const ACTION_EXECUTORS: Readonly<Record<string, ActionExecutor>> = { sql: sqlAction }

export interface ActionOptions {
  /** Executors by step language (default: SQL only). */
  readonly executors?: Readonly<Record<string, ActionExecutor>>
  readonly now?: () => number
}

function actionStep(runbook: Runbook, name: string): ActionStep {
  const step = runbook.steps.find((candidate) => candidate.name === name)
  if (step === undefined) throw new ThroughlineError(ErrorCode.notFound, `runbook '${runbook.id}' has no step named '${name}'`, 404)
  if (step.kind !== 'action')
    throw new ThroughlineError(ErrorCode.badRequest, `step '${name}' of runbook '${runbook.id}' is a ${step.kind} step, not an action`, 400)
  return step
}

/**
 * Runs the action step `request.step` for an alert. Refuses (ThroughlineError, nothing run,
 * nothing recorded) without an actor, for an unknown step, a step that is not an action, a
 * language without an executor or a label the alert lacks. Otherwise records, runs and
 * records the outcome; a failing run is a `failed` result, not a throw.
 */
export async function runAction(store: StoreClient, request: ActionRequest, options: ActionOptions = {}): Promise<ActionResult> {
  const actor = request.actor.trim()
  if (actor === '') throw new ThroughlineError(ErrorCode.badRequest, 'running a runbook action needs an actor: who runs it', 400)
  const { runbook, alert } = request
  const step = actionStep(runbook, request.step)
  const executors = options.executors ?? ACTION_EXECUTORS
  const execute = Object.hasOwn(executors, step.language) ? executors[step.language] : undefined
  if (execute === undefined) {
    throw new ThroughlineError(ErrorCode.badRequest, `no executor runs ${step.language} actions; step '${step.name}' is for an operator to run by hand`, 400)
  }
  const bound = bindParameters(step.parameters, alert)
  if (!bound.ok) throw new ThroughlineError(ErrorCode.badRequest, `cannot run '${step.name}': ${bound.message}`, 400)
  const now = options.now ?? Date.now
  const runId = randomUUID()
  const audit = async (details: Readonly<Record<string, unknown>>): Promise<void> => {
    const row = {
      At: dateTime64Text(BigInt(now()) * 1_000_000n),
      Action: 'run_action',
      Actor: actor,
      Fingerprint: alert.fingerprint,
      EpisodeId: alert.episodeId,
      SilenceId: '',
      Text: request.comment ?? '',
      Details: JSON.stringify({ runId, runbook: runbook.id, step: step.name, title: step.title, language: step.language, ...details }),
    }
    await insertJsonEachRow(store, 'alert_actions', `${JSON.stringify(row)}\n`, { tag: 'triage.audit-action' })
  }
  // Recorded before it runs: when the audit cannot be written, the action does not run.
  await audit({ status: 'started', params: bound.params })
  const started = performance.now()
  let outcome: ActionOutcome
  try {
    outcome = await execute(store, step, bound.params)
  } catch (error) {
    outcome = { status: 'failed', error: errorText(error) }
  }
  const durationMs = Math.round(performance.now() - started)
  await audit({ ...outcome, durationMs })
  return { ...outcome, runId, durationMs }
}
