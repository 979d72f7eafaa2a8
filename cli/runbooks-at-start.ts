// Runbooks when `serve` starts: every runbooks/*.md, all valid or the start fails (an alert
// whose runbook is broken would point at nothing). No directory means no runbooks. Alerts
// then run their runbook's automatic diagnostics when they fire and when they resolve.
import type { Logger } from 'pino'
import type { Alert, DiagnosticFinding } from '../notify/index.ts'
import type { Rule } from '../rules/index.ts'
import type { StoreClient } from '../store/index.ts'
import { ConfigError } from '../core/errors.ts'
import { alertContext, formatRunbookProblem, loadRunbooks, runbookForAlert, runDiagnostics, type Runbook } from '../triage/index.ts'

export const RUNBOOKS_DIR = 'runbooks'

export async function loadRunbooksAtStart(dir = RUNBOOKS_DIR): Promise<readonly Runbook[]> {
  const load = await loadRunbooks(dir)
  if (!load.ok) throw new ConfigError(`runbooks in ${dir} are invalid:\n${load.problems.map(formatRunbookProblem).join('\n')}`)
  return load.runbooks
}

export function diagnoser(store: StoreClient, runbooks: readonly Runbook[], rules: readonly Rule[], logger: Logger) {
  const byId = new Map(rules.map((r) => [r.id, r]))
  return async (alert: Alert, phase: 'fired' | 'resolved'): Promise<readonly DiagnosticFinding[]> => {
    const runbook = runbookForAlert(runbooks, { ruleId: alert.ruleId, labels: alert.labels, runbook: byId.get(alert.ruleId)?.runbook ?? alert.ruleId })
    if (runbook === undefined) return []
    const context = alertContext({ ...alert, impactStart: alert.startsAt }, Date.now())
    return runDiagnostics(store, runbook, context, phase, { logger })
  }
}
