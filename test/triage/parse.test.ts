// Reading runbooks: front matter, the six sections and the steps with their attributes, and
// problems that name the file and line of what is wrong (see runbook-text.ts for the lines).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkRunbookTexts, formatRunbookProblem, loadRunbooks, parseRunbook, type RunbookProblem } from '../../triage/index.ts'
import { runbookText, validRunbook } from './runbook-text.ts'

const FILE = 'runbooks/test-runbook.md'
const problemsOf = (text: string, file = FILE): string[] => parseRunbook(file, text).problems.map(formatRunbookProblem)
const codes = (problems: readonly RunbookProblem[]): string[] => problems.map((p) => p.code)

describe('runbook parsing', () => {
  it('reads the shipped example: front matter, sections in order, steps with their attributes', () => {
    const runbook = validRunbook(readFileSync('test/triage/fixtures/example-sync-lag.md', 'utf8'), 'test/triage/fixtures/example-sync-lag.md')
    expect(runbook.id).toBe('example-sync-lag')
    expect(runbook.appliesTo).toEqual({ rules: ['example_sync_lag_high'], labels: {} })
    expect(runbook.owner).toBe('integration-team')
    expect(runbook.severityGuide).toEqual({
      critical: 'orders stop reaching the target system within the SLA; page the integration on-call',
      warning: 'changes arrive late but arrive; look at it within working hours',
    })
    expect(runbook.lastReviewed).toBe('2026-06-01')
    expect(runbook.title).toBe('Data sync lag between two systems (example)')
    expect(runbook.sections.map((s) => [s.name, s.line])).toEqual([
      ['Meaning', 17],
      ['Impact', 22],
      ['Diagnosis', 28],
      ['Mitigation', 58],
      ['Verification', 69],
      ['Escalation', 74],
    ])
    expect(runbook.sections[0]!.markdown).toBe(
      'Changes made in `source_system` reach `target_system` later than the rule allows: the\n95th percentile of the sync lag over the evaluation window is above its threshold.',
    )
    const [failing, retried, restart] = runbook.steps
    expect(failing).toMatchObject({
      name: 'failing_operations',
      kind: 'diagnostic',
      title: 'Failing operations towards the target',
      language: 'sql',
      auto: true,
      timeoutMs: 10_000,
      maxRows: 10,
      line: 32,
      section: 'Diagnosis',
    })
    expect(failing!.parameters).toEqual([
      { name: 'source_system', type: 'String', line: 35 },
      { name: 'target_system', type: 'String', line: 36 },
      { name: 'window_start', type: 'DateTime64(3)', line: 38 },
      { name: 'window_end', type: 'DateTime64(3)', line: 39 },
    ])
    expect(retried).toMatchObject({ name: 'retried_operations', maxRows: 5, auto: true })
    expect(restart).toMatchObject({ name: 'restart_connector', kind: 'action', language: 'sh', timeoutMs: 120_000, section: 'Mitigation', parameters: [] })
  })

  it('reads quoted attribute values, escapes, durations and defaults', () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          `\`\`\`sql {name=a kind=diagnostic title="Top \\"error\\" codes {by system}" timeout=1m30s}`,
          'SELECT 1',
          '```',
          '',
          "```sql {kind=diagnostic name=b title='single quoted' timeout=PT2M auto=false}",
          'SELECT 2',
          '```',
          '',
          '```sql',
          'SELECT 3 -- a plain example block, not a step',
          '```',
        ].join('\n'),
      }),
    )
    expect(runbook.steps).toEqual([
      expect.objectContaining({ name: 'a', title: 'Top "error" codes {by system}', timeoutMs: 90_000, auto: false, maxRows: 100, line: 23 }),
      expect.objectContaining({ name: 'b', title: 'single quoted', timeoutMs: 120_000, auto: false, line: 27 }),
    ])
  })

  it('finds placeholders outside literals and comments only, with types holding quotes', () => {
    const runbook = validRunbook(
      runbookText({
        diagnosis: [
          '```sql {name=a kind=diagnostic}',
          "SELECT '{not_a:String}' AS text, {fired_at:DateTime64(3, 'UTC')} AS at -- {nor_this:String}",
          "FROM system.one /* {nor:String} */ WHERE {rule_id:String} != ''",
          '```',
        ].join('\n'),
      }),
    )
    expect(runbook.steps[0]!.parameters).toEqual([
      { name: 'fired_at', type: "DateTime64(3, 'UTC')", line: 24 },
      { name: 'rule_id', type: 'String', line: 25 },
    ])
  })

  it('names the file and line of a missing section: where it belongs, before the next one present', () => {
    // Without Impact, Diagnosis moves up to line 17: Impact belongs right before it.
    const text = runbookText().replace('## Impact\n\nWho is hurt.\n\n', '')
    expect(problemsOf(text)).toEqual([
      `${FILE}:17: sections.Impact: the '## Impact' section is missing (every runbook has Meaning, Impact, Diagnosis, Mitigation, Verification, Escalation)`,
    ])
    const noEscalation = runbookText().replace('## Escalation\n\nPage the owner.\n', '')
    expect(problemsOf(noEscalation)).toEqual([
      expect.stringMatching(/^runbooks\/test-runbook\.md:\d+: sections\.Escalation: the '## Escalation' section is missing/),
    ])
    // At the end: the last line written.
    expect(parseRunbook(FILE, noEscalation).problems[0]!.line).toBe(31)
  })

  it('refuses a required section written twice', () => {
    const text = runbookText({ mitigation: 'Fix it.\n\n## Meaning\n\nAgain.' })
    expect(problemsOf(text)).toEqual([`${FILE}:29: sections.Meaning: '## Meaning' is already at line 13; one section of each name`])
  })

  it('reports bad attributes at the line of their fence', () => {
    const text = runbookText({
      diagnosis: [
        '```sql {name=a kind=diagnostic timeout=soon max_rows=0 auto=yes}', // 23
        'SELECT 1',
        '```',
        '',
        '```sql {name=b kind=diagnostic title="unclosed}', // 27
        'SELECT 1',
        '```',
        '',
        '```sql {name=c kind=diagnostic colour=blue}', // 31
        'SELECT 1',
        '```',
        '',
        '```sh {name=d kind=diagnostic}', // 35
        'ls',
        '```',
      ].join('\n'),
    })
    expect(problemsOf(text)).toEqual([
      `${FILE}:23: steps.a.auto: 'yes' must be true or false`,
      `${FILE}:23: steps.a.max_rows: '0' must be a whole number from 1 to 10000`,
      `${FILE}:23: steps.a.timeout: 'soon' is not a duration: write it like '90s', '15m', '2h', '1h30m', '3d', '1w' or ISO 8601 'PT2H'`,
      `${FILE}:27: steps.(unnamed).attributes: cannot read 'title="unclosed': write key=value, or key="text with spaces"`,
      `${FILE}:31: steps.c.colour: diagnostic steps take name, kind, title, timeout, auto, max_rows`,
      `${FILE}:35: steps.d.kind: diagnostic steps are read-only SQL: open the block with \`\`\`sql, not \`\`\`sh`,
    ])
  })

  it('refuses an unknown kind, an automatic action and a duplicate step name', () => {
    const text = runbookText({
      diagnosis: ['```sql {name=a kind=query}', 'SELECT 1', '```', '', '```sql {name=b kind=diagnostic}', 'SELECT 1', '```'].join('\n'),
      mitigation: ['```sql {name=b kind=action auto=true}', 'SELECT 1', '```'].join('\n'),
    })
    const problems = parseRunbook(FILE, text).problems
    expect(problems.map(formatRunbookProblem)).toEqual([
      `${FILE}:23: steps.a.kind: unknown kind 'query': use diagnostic or action`,
      `${FILE}:33: steps.b.auto: actions never run by themselves: an operator runs them (audited); remove auto`,
    ])
    // The duplicate shows once both steps are otherwise valid.
    const duplicate = text.replace(' auto=true', '')
    expect(problemsOf(duplicate)).toEqual([
      `${FILE}:23: steps.a.kind: unknown kind 'query': use diagnostic or action`,
      `${FILE}:33: steps.b.name: a step named 'b' is already at line 27; names identify steps in results and audits`,
    ])
    expect(codes(problems)).toEqual(['unknown_kind', 'bad_attribute'])
  })

  it('refuses statements the runner cannot run as written', () => {
    const step = (name: string, sql: string) => [`\`\`\`sql {name=${name} kind=diagnostic}`, sql, '```', ''].join('\n')
    const text = runbookText({
      diagnosis: [
        step('two', 'SELECT 1; SELECT 2'), // 23
        step('format', 'SELECT 1 FORMAT CSV'), // 27
        step('limits', 'SELECT 1 SETTINGS max_execution_time = 600'), // 31
        step('typed', 'SELECT {n:UInt32}'), // 35
        step('clock', 'SELECT {window_start:String}'), // 39
        step('fine', "SELECT ';' AS semicolon_in_a_string; -- trailing"), // 43
      ].join('\n'),
    })
    expect(problemsOf(text)).toEqual([
      `${FILE}:23: steps.two.sql: one statement per step: the block holds more than one (a \`;\` before the end)`,
      `${FILE}:27: steps.format.sql: the statement names its own FORMAT; the runner reads rows as JSONEachRow`,
      `${FILE}:31: steps.limits.sql: the statement sets max_execution_time, which the runner owns; use the step's timeout and max_rows attributes`,
      `${FILE}:36: steps.typed.sql.n: label parameters are String (label values are text): write {n:String} and convert in SQL, e.g. toUInt32OrZero({n:String})`,
      `${FILE}:40: steps.clock.sql.window_start: {window_start} is declared String; declare it as DateTime64(3), DateTime64(3, 'UTC') or DateTime`,
    ])
  })

  it('checks the front matter against its schema, at the line of each field', () => {
    const text = runbookText({ lastReviewed: '2026-02-30' })
    expect(problemsOf(text)).toEqual([`${FILE}:8: front_matter.last_reviewed: '2026-02-30' is not a date`])
    const broken = runbookText().replace('owner: integration-team\n', 'team: integration-team\n').replace('id: test-runbook', 'id: Test Runbook')
    expect(problemsOf(broken)).toEqual([
      `${FILE}:2: front_matter.id: must match pattern "^[a-z0-9][a-z0-9_.-]*$": the runbook id; the file is runbooks/<id>.md and rules name it in \`runbook\``,
      // A field missing from the top level: at the front matter's first line.
      `${FILE}:2: front_matter.owner: 'owner' is required`,
      `${FILE}:4: front_matter.team: unknown field 'team'`,
    ])
    expect(problemsOf(runbookText({ id: 'other' }))).toEqual([
      `${FILE}:2: front_matter.id: the id 'other' does not match the file name: rename the file other.md or set id: test-runbook`,
    ])
    expect(problemsOf('# No front matter\n\n## Meaning\n')).toContain(
      `${FILE}:1: front_matter: a runbook starts with YAML front matter between --- lines (id, applies_to, owner, severity_guide, last_reviewed)`,
    )
    expect(problemsOf(runbookText().replace('owner: integration-team', 'owner: [unclosed'))[0]).toMatch(/^runbooks\/test-runbook\.md:\d+: front_matter: /)
  })

  it('loads a directory: README.md is the format doc, not a runbook; one bad file fails the set', async () => {
    const load = await loadRunbooks('runbooks')
    expect(load.ok).toBe(true)
    // The shipped runbooks: one per shipped rule.
    expect(load.ok && load.runbooks.map((r) => r.id)).toContain('l2c-stuck-orders')
    expect(load.files).not.toContain('runbooks/README.md')
    const mixed = checkRunbookTexts([
      { file: FILE, text: runbookText() },
      { file: 'runbooks/broken.md', text: runbookText({ id: 'broken' }).replace('## Verification', '## Checking') },
    ])
    expect(mixed.ok).toBe(false)
    expect(!mixed.ok && mixed.problems.map((p) => `${p.file}:${p.line}: ${p.code}`)).toEqual(['runbooks/broken.md:33: missing_section'])
  })
})
