// Runbook texts for the triage tests: a valid runbook with the steps given, every required
// section present, and the line numbers of what it holds easy to count (see each test).
import { parseRunbook, type Runbook } from '../../triage/index.ts'

export interface RunbookTextOptions {
  readonly id?: string
  readonly rules?: readonly string[]
  readonly labels?: Readonly<Record<string, string>>
  /** Markdown put in the Diagnosis section (steps, prose). */
  readonly diagnosis?: string
  readonly mitigation?: string
  readonly lastReviewed?: string
}

/**
 * Lines 1-9 are the front matter (id on 2, applies_to on 3, last_reviewed on 8), 11 the
 * title, 13 `## Meaning`, 17 `## Impact`, 21 `## Diagnosis`; `diagnosis` starts on line 23.
 */
export function runbookText(options: RunbookTextOptions = {}): string {
  const labels = options.labels === undefined ? '' : `, labels: ${JSON.stringify(options.labels)}`
  return `---
id: ${options.id ?? 'test-runbook'}
applies_to: { rules: [${(options.rules ?? ['test_rule']).join(', ')}]${labels} }
owner: integration-team
severity_guide:
  critical: page the on-call
  warning: look within working hours
last_reviewed: ${options.lastReviewed ?? '2026-06-01'}
---

# Test runbook

## Meaning

What the alert means.

## Impact

Who is hurt.

## Diagnosis

${options.diagnosis ?? 'Look at the dashboards.'}

## Mitigation

${options.mitigation ?? 'Fix it.'}

## Verification

It flows again.

## Escalation

Page the owner.
`
}

/** Parses a text that must be valid; fails the test with its problems otherwise. */
export function validRunbook(text: string, file = 'runbooks/test-runbook.md'): Runbook {
  const read = parseRunbook(file, text)
  if (read.runbook === undefined) throw new Error(`runbook has problems: ${JSON.stringify(read.problems, null, 2)}`)
  return read.runbook
}
