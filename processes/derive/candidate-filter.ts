// A coarse SQL pre-filter of the rows a definition could recognise, so the deriver does not
// ship every span to JavaScript: rows that name one of its milestones (or an alias), plus rows
// whose span name / event name / body passes a recogniser's name test. It only has to be a
// superset: recognise.ts makes the exact decision on what comes back. Patterns are RE2-safe
// (the loader checks them), so ClickHouse's match() reads them as the recogniser does.
import type { ProcessDefinition, Recogniser, TextMatch } from '../definitions/index.ts'
import type { SourceTable } from './source-window.ts'

export interface SqlCondition {
  readonly sql: string
  readonly params: Record<string, unknown>
}

function textCondition(column: string, match: TextMatch, param: string): string {
  switch (match.kind) {
    case 'equals':
      return `${column} = {${param}:String}`
    case 'contains':
      return `position(${column}, {${param}:String}) > 0`
    case 'pattern':
      return `match(${column}, {${param}:String})`
  }
}

const matchValue = (match: TextMatch): string => (match.kind === 'pattern' ? match.pattern : match.text)

/** The name test of one recogniser, or undefined when it has none (then every row is a candidate). */
function nameTest(recogniser: Recogniser): { column: string; match: TextMatch } | undefined {
  if (recogniser.from === 'span') return recogniser.spanName === undefined ? undefined : { column: 'SpanName', match: recogniser.spanName }
  if (recogniser.eventName !== undefined) return { column: 'EventName', match: recogniser.eventName }
  return recogniser.body === undefined ? undefined : { column: 'Body', match: recogniser.body }
}

export function candidateFilter(definition: ProcessDefinition, table: SourceTable): SqlCondition {
  const signal = table === 'otel_traces' ? 'span' : 'log'
  const named = definition.milestones.flatMap((m) => [m.name, ...m.aliases])
  const params: Record<string, unknown> = { process: definition.name, milestoneNames: named }
  const alternatives = ['Milestone IN {milestoneNames:Array(String)}']
  let index = 0
  for (const milestone of definition.milestones) {
    for (const recogniser of milestone.recognisers) {
      if (recogniser.from !== signal) continue
      const test = nameTest(recogniser)
      if (test === undefined) return { sql: `BusinessProcess IN ('', {process:String})`, params }
      const param = `name${index++}`
      params[param] = matchValue(test.match)
      alternatives.push(textCondition(test.column, test.match, param))
    }
  }
  return { sql: `BusinessProcess IN ('', {process:String}) AND (${alternatives.join(' OR ')})`, params }
}
