// Action steps run only when an operator asks, with a named actor, and leave two audit rows in
// alert_actions: one before the run, one with its outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../store/index.ts'
import { runAction, runDiagnostics, type ActionExecutor, type AlertContext } from '../../triage/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { runbookText, validRunbook } from './runbook-text.ts'

let env: MigratedStore
beforeAll(async () => {
  env = await openMigratedStore('triage-actions')
})
afterAll(async () => env.close())

const alert: AlertContext = {
  ruleId: 'test_rule',
  fingerprint: 'fp-action',
  episodeId: 'fp-action@1',
  labels: { target_system: "ERP'; DROP TABLE alert_actions; --" },
  windowStart: '2026-06-01T11:00:00.000Z',
  windowEnd: '2026-06-01T12:00:00.000Z',
  firedAt: '2026-06-01T12:00:00.000Z',
}

const runbook = validRunbook(
  runbookText({
    diagnosis: ['```sql {name=look kind=diagnostic auto=true}', 'SELECT 1 AS one', '```'].join('\n'),
    mitigation: [
      '```sql {name=note_replay kind=action title="Note a replay request" timeout=5s}',
      "INSERT INTO alert_actions (At, Action, Actor, Text) VALUES (now64(3), 'replay_request', 'connector', {target_system:String})",
      '```',
      '',
      '```sql {name=bad_action kind=action}',
      'INSERT INTO no_such_table VALUES (1)',
      '```',
      '',
      '```sh {name=restart kind=action}',
      'kubectl rollout restart deployment/connector',
      '```',
    ].join('\n'),
  }),
)

interface AuditRow {
  readonly at: string
  readonly Action: string
  readonly Actor: string
  readonly Fingerprint: string
  readonly EpisodeId: string
  readonly Text: string
  readonly Details: string
}

const audits = async (): Promise<Array<Omit<AuditRow, 'Details'> & { details: Record<string, unknown> }>> =>
  (
    await queryRows<AuditRow>(
      env.store,
      "SELECT toUnixTimestamp64Milli(At) AS at, Action, Actor, Fingerprint, EpisodeId, Text, Details FROM alert_actions WHERE Action = 'run_action' ORDER BY At",
      {},
      { tag: 'test.audits' },
    )
  ).map(({ Details, ...row }) => ({ ...row, details: JSON.parse(Details) as Record<string, unknown> }))

describe('runAction', () => {
  it('never runs with the automatic diagnostics', async () => {
    const findings = await runDiagnostics(env.store, runbook, alert, 'manual')
    expect(findings.map((f) => f.step)).toEqual(['look'])
  })

  it('refuses without an actor, for an unknown step or a diagnostic, and records nothing', async () => {
    await expect(runAction(env.store, { runbook, step: 'note_replay', alert, actor: '  ' })).rejects.toThrow('running a runbook action needs an actor')
    await expect(runAction(env.store, { runbook, step: 'nope', alert, actor: 'ana' })).rejects.toThrow("runbook 'test-runbook' has no step named 'nope'")
    await expect(runAction(env.store, { runbook, step: 'look', alert, actor: 'ana' })).rejects.toThrow('is a diagnostic step, not an action')
    await expect(runAction(env.store, { runbook, step: 'restart', alert, actor: 'ana' })).rejects.toThrow('no executor runs sh actions')
    expect(await audits()).toEqual([])
  })

  it('records the run before and its outcome after, with the labels bound as values', async () => {
    let clock = Date.UTC(2026, 5, 1, 12, 5, 0, 0)
    const result = await runAction(env.store, { runbook, step: 'note_replay', alert, actor: 'ana', comment: 'target is back' }, { now: () => (clock += 1000) })
    expect(result).toMatchObject({ status: 'succeeded' })
    const rows = await audits()
    const common = { Action: 'run_action', Actor: 'ana', Fingerprint: 'fp-action', EpisodeId: 'fp-action@1', Text: 'target is back' }
    const step = { runId: result.runId, runbook: 'test-runbook', step: 'note_replay', title: 'Note a replay request', language: 'sql' }
    expect(rows).toEqual([
      { ...common, at: String(Date.UTC(2026, 5, 1, 12, 5, 1)), details: { ...step, status: 'started', params: { target_system: alert.labels.target_system } } },
      {
        ...common,
        at: String(Date.UTC(2026, 5, 1, 12, 5, 2)),
        details: { ...step, status: 'succeeded', output: expect.any(String), durationMs: result.durationMs },
      },
    ])
    // The action itself wrote the label as a value: the table is there and holds it.
    const [written] = await queryRows<{ Text: string }>(env.store, "SELECT Text FROM alert_actions WHERE Action = 'replay_request'", {}, { tag: 'test.replay' })
    expect(written).toEqual({ Text: "ERP'; DROP TABLE alert_actions; --" })
  })

  it('records a failing run as failed, and an executor of another language is pluggable', async () => {
    const failed = await runAction(env.store, { runbook, step: 'bad_action', alert, actor: 'ben' })
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^UNKNOWN_TABLE: .*no_such_table/) })
    const ran: string[] = []
    const shell: ActionExecutor = async (_store, step) => {
      ran.push(step.code.trim())
      return { status: 'succeeded', output: 'deployment.apps/connector restarted' }
    }
    const restarted = await runAction(env.store, { runbook, step: 'restart', alert, actor: 'ben' }, { executors: { sh: shell } })
    expect(restarted).toMatchObject({ status: 'succeeded', output: 'deployment.apps/connector restarted' })
    expect(ran).toEqual(['kubectl rollout restart deployment/connector'])
    const ben = (await audits())
      .filter((row) => row.Actor === 'ben')
      .map((row) => [row.details.step, row.details.status, row.details.error ?? row.details.output ?? ''])
    expect(ben).toEqual([
      ['bad_action', 'started', ''],
      ['bad_action', 'failed', expect.stringMatching(/^UNKNOWN_TABLE/)],
      ['restart', 'started', ''],
      ['restart', 'succeeded', 'deployment.apps/connector restarted'],
    ])
  })
})
