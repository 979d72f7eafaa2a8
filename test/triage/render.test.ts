// Runbooks for the API: HTML through markdown-it with raw HTML shown as text and unsafe links
// dropped, step blocks marked for a Run button, and the structured form.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderRunbook } from '../../triage/index.ts'
import { runbookText, validRunbook } from './runbook-text.ts'

describe('renderRunbook', () => {
  it('renders the sections and marks the step blocks', () => {
    const rendered = renderRunbook(validRunbook(readFileSync('test/triage/fixtures/example-sync-lag.md', 'utf8'), 'test/triage/fixtures/example-sync-lag.md'))
    expect(rendered).toMatchObject({
      id: 'example-sync-lag',
      title: 'Data sync lag between two systems (example)',
      owner: 'integration-team',
      lastReviewed: '2026-06-01',
    })
    expect(rendered.sections.map((s) => s.name)).toEqual(['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Verification', 'Escalation'])
    expect(rendered.sections[0]!.html).toBe(
      '<p>Changes made in <code>source_system</code> reach <code>target_system</code> later than the rule allows: the\n95th percentile of the sync lag over the evaluation window is above its threshold.</p>\n',
    )
    expect(rendered.html).toContain('<h1>Data sync lag between two systems (example)</h1>')
    expect(rendered.html).not.toContain('last_reviewed') // the front matter is data, not body
    expect(rendered.sections[2]!.html).toContain('<pre><code data-step="failing_operations" data-kind="diagnostic" class="language-sql">SELECT SpanName')
    expect(rendered.steps.map((s) => [s.name, s.kind, s.section, s.auto, s.maxRows, s.parameters])).toEqual([
      ['failing_operations', 'diagnostic', 'Diagnosis', true, 10, ['source_system', 'target_system', 'window_start', 'window_end']],
      ['retried_operations', 'diagnostic', 'Diagnosis', true, 5, ['target_system', 'window_start', 'window_end']],
      ['restart_connector', 'action', 'Mitigation', undefined, undefined, []],
    ])
    expect(JSON.parse(JSON.stringify(rendered))).toEqual(rendered) // plain data, ready for a JSON body
  })

  it('shows raw HTML as text and drops script links', () => {
    const runbook = validRunbook(
      runbookText({
        mitigation: [
          '<script>alert(1)</script>',
          '',
          '[click](javascript:alert(1)) and <img src=x onerror=alert(1)>',
          '',
          '```sql {name=x kind=action title="<b>bold</b>"}',
          "SELECT '<tag>' AS t",
          '```',
        ].join('\n'),
      }),
    )
    const { html, sections } = renderRunbook(runbook)
    expect(sections[3]!.html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n' +
        '<p>[click](javascript:alert(1)) and &lt;img src=x onerror=alert(1)&gt;</p>\n' +
        '<pre><code data-step="x" data-kind="action" class="language-sql">SELECT \'&lt;tag&gt;\' AS t\n</code></pre>\n',
    )
    expect(html).not.toMatch(/<script|<img|href="javascript/)
  })
})
