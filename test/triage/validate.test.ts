// `throughline runbooks validate` on chDB: EXPLAIN against the migrated schema catches an
// unknown column, parameters must be labels of every rule the runbook serves, and every rule
// has a runbook.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatRunbookProblem, runbookForAlert, validateRunbooks, type RuleForRunbooks } from '../../triage/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'
import { runbookText, validRunbook } from './runbook-text.ts'

let env: MigratedStore
beforeAll(async () => {
  env = await openMigratedStore('triage-validate')
})
afterAll(async () => env.close())

const NOW = () => Date.UTC(2026, 6, 1)
const example = () => validRunbook(readFileSync('test/triage/fixtures/example-sync-lag.md', 'utf8'), 'test/triage/fixtures/example-sync-lag.md')
const syncRule: RuleForRunbooks = { id: 'example_sync_lag_high', labels: ['source_system', 'target_system'] }
const diagnostic = (name: string, sql: string) => [`\`\`\`sql {name=${name} kind=diagnostic auto=true}`, sql, '```', ''].join('\n')
const FILE = 'runbooks/test-runbook.md'

describe('validateRunbooks', () => {
  it('passes the shipped example against its rule and the real schema', async () => {
    expect(await validateRunbooks(env.store, [example()], [syncRule], { now: NOW })).toEqual([])
  })

  it('catches an unknown column with EXPLAIN, at the line of the step', async () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          diagnostic('fine', 'SELECT count() FROM otel_traces WHERE ServiceName = {service:String} AND Timestamp >= {window_start:DateTime64(3)}'),
          diagnostic('typo', 'SELECT SpanNme FROM otel_traces WHERE ServiceName = {service:String}'), // 27
          diagnostic('no_table', 'SELECT 1 FROM otel_tracez'), // 31
          // Label placeholders are '0', so a label converted to a number passes EXPLAIN.
          diagnostic('numeric', 'SELECT count() FROM otel_traces WHERE Attempt > toUInt16({service:String})'),
        ].join('\n'),
      }),
    )
    const problems = await validateRunbooks(env.store, [runbook], [{ id: 'test_rule', labels: ['service'] }], { now: NOW })
    expect(problems.map(formatRunbookProblem)).toEqual([
      expect.stringMatching(/^runbooks\/test-runbook\.md:27: steps\.typo\.sql: EXPLAIN fails: UNKNOWN_IDENTIFIER: .*SpanNme/),
      expect.stringMatching(/^runbooks\/test-runbook\.md:31: steps\.no_table\.sql: EXPLAIN fails: UNKNOWN_TABLE: .*otel_tracez/),
    ])
  })

  it('refuses a parameter that is not a label of every rule the runbook serves, nor a built-in', async () => {
    const runbook = validRunbook(
      runbookText({
        rules: ['test_rule', 'other_rule'],
        diagnosis: diagnostic(
          'by_tenant',
          'SELECT count() FROM otel_traces\nWHERE Tenant = {tenant:String} AND ServiceName = {service:String}\n  AND Timestamp < {window_end:DateTime64(3)}',
        ),
      }),
    )
    const rules: RuleForRunbooks[] = [
      { id: 'test_rule', labels: ['service', 'tenant'] },
      { id: 'other_rule', labels: ['service'] },
    ]
    const problems = await validateRunbooks(env.store, [runbook], rules, { now: NOW })
    expect(problems.map(formatRunbookProblem)).toEqual([
      `${FILE}:25: steps.by_tenant.sql.tenant: {tenant} is not a label of rule 'other_rule' (its labels: service) nor a built-in (window_start, window_end, fired_at, rule_id, fingerprint, episode_id)`,
    ])
  })

  it('wants a runbook for every rule, and names unknown rules, stale reviews and duplicates', async () => {
    const runbook = validRunbook(runbookText({ rules: ['test_rule', 'gone_rule'], lastReviewed: '2025-01-15' }))
    const byLabel = validRunbook(runbookText({ id: 'erp-alerts', rules: [], labels: { target_system: 'ERP' } }), 'runbooks/erp-alerts.md')
    const rules: RuleForRunbooks[] = [
      { id: 'test_rule', labels: [] },
      { id: 'orphan_rule', labels: [], file: 'alert-rules/orders.yaml', line: 12 },
      { id: 'erp_only', labels: ['target_system'], file: 'alert-rules/sync.yaml', line: 3 },
      { id: 'named_rule', labels: [], runbook: 'missing-book', file: 'alert-rules/orders.yaml', line: 20 },
    ]
    const problems = await validateRunbooks(env.store, [runbook, byLabel, validRunbook(runbookText())], rules, { now: NOW })
    expect(problems.map(formatRunbookProblem)).toEqual([
      "alert-rules/orders.yaml:12: rules.orphan_rule.runbook: rule 'orphan_rule' has no runbook: add runbooks/orphan_rule.md, or list the rule in a runbook's applies_to.rules",
      "alert-rules/orders.yaml:20: rules.named_rule.runbook: rule 'named_rule' names runbook 'missing-book', and there is no runbooks/missing-book.md",
      "alert-rules/sync.yaml:3: rules.erp_only.runbook: warning: rule 'erp_only' has a runbook only for some label values (erp-alerts); other alerts of it get none",
      `${FILE}:1: front_matter.id: runbook 'test-runbook' is also ${FILE}`,
      `${FILE}:3: front_matter.applies_to.rules[1]: no rule has the id 'gone_rule'`,
      `${FILE}:8: front_matter.last_reviewed: warning: last reviewed 2025-01-15, more than 365 days ago: check it is still true and update last_reviewed`,
    ])
  })
})

describe('runbookForAlert', () => {
  const general = validRunbook(runbookText({ id: 'general', rules: ['sync_lag'] }), 'runbooks/general.md')
  const erp = validRunbook(runbookText({ id: 'erp', rules: ['sync_lag'], labels: { target_system: 'ERP' } }), 'runbooks/erp.md')
  const anyErp = validRunbook(runbookText({ id: 'any-erp', rules: [], labels: { target_system: 'ERP' } }), 'runbooks/any-erp.md')
  const runbooks = [general, erp, anyErp]

  it('takes the runbook the rule names, else the most specific that applies', () => {
    expect(runbookForAlert(runbooks, { ruleId: 'sync_lag', labels: { target_system: 'ERP' }, runbook: 'any-erp' })?.id).toBe('any-erp')
    expect(runbookForAlert(runbooks, { ruleId: 'sync_lag', labels: { target_system: 'ERP' } })?.id).toBe('erp')
    expect(runbookForAlert(runbooks, { ruleId: 'sync_lag', labels: { target_system: 'WMS' } })?.id).toBe('general')
    expect(runbookForAlert(runbooks, { ruleId: 'stuck_orders', labels: { target_system: 'ERP' } })?.id).toBe('any-erp')
    expect(runbookForAlert(runbooks, { ruleId: 'stuck_orders', labels: {} })).toBeUndefined()
  })
})
