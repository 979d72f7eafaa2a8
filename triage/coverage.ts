// Which runbook an alert gets, and which rules a runbook is for. A rule names its runbook
// (rules' `runbook`, by default its own id); otherwise the runbooks whose applies_to matches
// compete, and the most specific one (naming the rule, then matching more labels) wins.
import type { Runbook, RuleForRunbooks } from './model.ts'

export interface AlertForRunbook {
  readonly ruleId: string
  readonly labels: Readonly<Record<string, string>>
  /** The runbook id the rule names, when it names one. */
  readonly runbook?: string
}

const labelsMatch = (runbook: Runbook, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(runbook.appliesTo.labels).every(([name, value]) => Object.hasOwn(labels, name) && labels[name] === value)

const namesRule = (runbook: Runbook, ruleId: string): boolean => runbook.id === ruleId || runbook.appliesTo.rules.includes(ruleId)

/** How well a runbook fits an alert; undefined when it does not apply. */
function specificity(runbook: Runbook, alert: AlertForRunbook): number | undefined {
  const named = namesRule(runbook, alert.ruleId)
  if (!named && runbook.appliesTo.rules.length > 0) return undefined
  if (!labelsMatch(runbook, alert.labels)) return undefined
  if (!named && Object.keys(runbook.appliesTo.labels).length === 0) return undefined
  return (named ? 1000 : 0) + Object.keys(runbook.appliesTo.labels).length
}

/** The runbook of an alert, or undefined when none applies. */
export function runbookForAlert(runbooks: readonly Runbook[], alert: AlertForRunbook): Runbook | undefined {
  const named = alert.runbook === undefined ? undefined : runbooks.find((runbook) => runbook.id === alert.runbook)
  if (named !== undefined) return named
  let best: { runbook: Runbook; score: number } | undefined
  for (const runbook of [...runbooks].sort((a, b) => a.id.localeCompare(b.id))) {
    const score = specificity(runbook, alert)
    if (score !== undefined && (best === undefined || score > best.score)) best = { runbook, score }
  }
  return best?.runbook
}

/** The rules whose alerts may get this runbook. */
export function rulesOfRunbook(runbook: Runbook, rules: readonly RuleForRunbooks[]): RuleForRunbooks[] {
  const labelNames = Object.keys(runbook.appliesTo.labels)
  return rules.filter((rule) => {
    if (rule.runbook === runbook.id || namesRule(runbook, rule.id)) return true
    return runbook.appliesTo.rules.length === 0 && labelNames.length > 0 && labelNames.every((name) => rule.labels.includes(name))
  })
}

export type RuleCoverage =
  | { readonly kind: 'covered'; readonly runbook: Runbook }
  /** Only for some label values: alerts with other values get no runbook. */
  | { readonly kind: 'partial'; readonly runbooks: readonly Runbook[] }
  | { readonly kind: 'named_missing'; readonly runbook: string }
  | { readonly kind: 'none' }

export function coverageOf(rule: RuleForRunbooks, runbooks: readonly Runbook[]): RuleCoverage {
  if (rule.runbook !== undefined) {
    const named = runbooks.find((runbook) => runbook.id === rule.runbook)
    if (named !== undefined) return { kind: 'covered', runbook: named }
    if (rule.runbook !== rule.id) return { kind: 'named_missing', runbook: rule.runbook }
  }
  const unconditional = runbooks.find((runbook) => namesRule(runbook, rule.id) && Object.keys(runbook.appliesTo.labels).length === 0)
  if (unconditional !== undefined) return { kind: 'covered', runbook: unconditional }
  const partial = runbooksApplying(rule, runbooks)
  return partial.length > 0 ? { kind: 'partial', runbooks: partial } : { kind: 'none' }
}

const runbooksApplying = (rule: RuleForRunbooks, runbooks: readonly Runbook[]): Runbook[] =>
  runbooks.filter((runbook) => rulesOfRunbook(runbook, [rule]).length > 0)
