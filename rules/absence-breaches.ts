// The absence kind's statement: "after milestone A, expect B within T" for the absence rules
// of one process that look back as far (rules/evaluate.ts groups them). The instance facts are read once with each rule's A and B reaches;
// ARRAY JOIN gives one row per (instance, rule), kept when the deadline (A + T, on the rule's
// clock) has passed without B, unless the instance was cancelled or ended failed (a rejected
// order expects nothing more). The rules of a cycle share it (rules/cycle-memo.ts): 30 absence
// rules cost one read of the facts, not 30.
import { clockSql, instanceFactsCte, wallClockSql, type FactsSource, type ProcessDefinition } from '../processes/index.ts'
import { queryRows, type StoreClient } from '../store/index.ts'
import type { Rule } from './model.ts'

export type AbsenceRule = Extract<Rule, { kind: 'absence' }>

/** One instance past a rule's deadline without its expected milestone. */
export interface AbsenceBreach {
  readonly instance: string
  readonly afterNs: bigint
  readonly deadlineNs: bigint
}

const DAY_MS = 86_400_000
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n

/** How far back a rule looks for its A milestone: twenty times its T, at least 30 days. */
export const absenceLookbackMs = (rule: AbsenceRule): number => Math.max(rule.withinMs * 20, 30 * DAY_MS)

/** Per rule id, the instances past the deadline at `atMs` (in instance order). */
export async function absenceBreaches(
  store: StoreClient,
  definition: ProcessDefinition,
  rules: readonly AbsenceRule[],
  atMs: number,
  facts: FactsSource,
): Promise<Map<string, AbsenceBreach[]>> {
  const lookbackMs = Math.max(...rules.map(absenceLookbackMs))
  const scope = instanceFactsCte({
    definition,
    source: facts,
    eventsFromNs: ns(atMs - lookbackMs),
    eventsToNs: ns(atMs) + 1n,
    reaches: rules.flatMap((rule) => [[rule.after], [rule.expect]]),
  })
  const business = clockSql('business', definition.calendar, atMs - lookbackMs, atMs + 60 * DAY_MS)
  const params: Record<string, unknown> = { ...scope.params, at: ns(atMs).toString() }
  if (rules.some((rule) => rule.clock === 'business')) Object.assign(params, business.params)
  const perRule = rules.map((rule, i) => {
    const clock = rule.clock === 'business' ? business : wallClockSql
    params[`within${i}`] = ns(rule.withinMs).toString()
    // The rule's own lookback: its A must have been reached within it.
    params[`from${i}`] = ns(atMs - absenceLookbackMs(rule)).toString()
    const [after, expect] = [`reach_${2 * i}`, `reach_${2 * i + 1}`]
    return `tuple(toUInt16(${i}), ${after}, ${clock.after(after, `{within${i}:Int64}`)}, ${expect}, {from${i}:Int64})`
  })
  const rows = await queryRows<{ rule: number; instance: string; afterNs: string; deadlineNs: string }>(
    store,
    `WITH ${scope.sql}
     SELECT s.1 AS rule, instance, toString(s.2) AS afterNs, toString(s.3) AS deadlineNs
     FROM facts ARRAY JOIN [${perRule.join(', ')}] AS s
     WHERE NOT cancelled AND outcome != 'failed' AND s.2 IS NOT NULL AND s.2 >= s.5 AND s.3 <= {at:Int64} AND (s.4 IS NULL OR s.4 > s.3)
     ORDER BY rule, instance`,
    params,
    { tag: 'rules.absence' },
  )
  const out = new Map<string, AbsenceBreach[]>(rules.map((rule) => [rule.id, []]))
  for (const row of rows) {
    const rule = rules[Number(row.rule)]
    if (rule !== undefined) out.get(rule.id)?.push({ instance: row.instance, afterNs: BigInt(row.afterNs), deadlineNs: BigInt(row.deadlineNs) })
  }
  return out
}
