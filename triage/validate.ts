// `throughline runbooks validate`: what a runbook cannot show by itself. Every rule has a
// runbook, runbook ids are unique, every parameter of a step is a label of each rule the
// runbook serves (or a built-in), and every diagnostic passes EXPLAIN against the real schema
// with placeholder values of the declared types bound.
import type { ClickHouseClient } from '@clickhouse/client'
import type { StoreClient } from '../store/index.ts'
import { coverageOf, rulesOfRunbook } from './coverage.ts'
import { readFrontMatter, splitFrontMatter } from './front-matter.ts'
import type { DiagnosticStep, Runbook, RuleForRunbooks } from './model.ts'
import { BUILT_IN_PARAMETERS, bindParameters, isBuiltIn, placeholderAlert } from './parameters.ts'
import { problem, RunbookProblemCode, sortRunbookProblems, type RunbookProblem } from './problems.ts'
import { errorText, selectReadOnly } from './read-only-rows.ts'

export interface ValidateOptions {
  /** Milliseconds since the epoch, for the review age; tests fix it. */
  readonly now?: () => number
  /** A runbook reviewed longer ago than this is a warning (default 365). */
  readonly maxReviewAgeDays?: number
}

const DAY_MS = 86_400_000
const ruleFile = (rule: RuleForRunbooks): string => rule.file ?? 'alert-rules'

function ruleProblems(rules: readonly RuleForRunbooks[], runbooks: readonly Runbook[]): RunbookProblem[] {
  return rules.flatMap((rule): RunbookProblem[] => {
    const at = (severity: 'error' | 'warning', code: typeof RunbookProblemCode.noRunbook | typeof RunbookProblemCode.partialCoverage, message: string) => [
      problem(severity, code, ruleFile(rule), rule.line ?? 0, `rules.${rule.id}.runbook`, message),
    ]
    const coverage = coverageOf(rule, runbooks)
    switch (coverage.kind) {
      case 'covered':
        return []
      case 'named_missing':
        return at(
          'error',
          RunbookProblemCode.noRunbook,
          `rule '${rule.id}' names runbook '${coverage.runbook}', and there is no runbooks/${coverage.runbook}.md`,
        )
      case 'partial': {
        const ids = coverage.runbooks.map((runbook) => runbook.id).join(', ')
        return at(
          'warning',
          RunbookProblemCode.partialCoverage,
          `rule '${rule.id}' has a runbook only for some label values (${ids}); other alerts of it get none`,
        )
      }
      case 'none':
        return at(
          'error',
          RunbookProblemCode.noRunbook,
          `rule '${rule.id}' has no runbook: add runbooks/${rule.id}.md, or list the rule in a runbook's applies_to.rules`,
        )
    }
  })
}

function duplicateIds(runbooks: readonly Runbook[]): RunbookProblem[] {
  const first = new Map<string, Runbook>()
  return runbooks.flatMap((runbook) => {
    const earlier = first.get(runbook.id)
    if (earlier === undefined) {
      first.set(runbook.id, runbook)
      return []
    }
    return [problem('error', RunbookProblemCode.duplicateRunbook, runbook.file, 1, 'front_matter.id', `runbook '${runbook.id}' is also ${earlier.file}`)]
  })
}

function runbookProblems(runbook: Runbook, rules: readonly RuleForRunbooks[], options: ValidateOptions): RunbookProblem[] {
  const { lineOf } = readFrontMatter(runbook.file, splitFrontMatter(runbook.source))
  const problems: RunbookProblem[] = []
  runbook.appliesTo.rules.forEach((id, i) => {
    if (rules.some((rule) => rule.id === id)) return
    const field = `front_matter.applies_to.rules[${i}]`
    problems.push(problem('error', RunbookProblemCode.unknownRule, runbook.file, lineOf(['applies_to', 'rules', i]), field, `no rule has the id '${id}'`))
  })
  const served = rulesOfRunbook(runbook, rules)
  if (served.length === 0) {
    problems.push(
      problem('warning', RunbookProblemCode.appliesToNothing, runbook.file, lineOf(['applies_to']), 'front_matter.applies_to', 'no rule gets this runbook'),
    )
  }
  const reviewed = Date.parse(`${runbook.lastReviewed}T00:00:00Z`)
  const maxAgeDays = options.maxReviewAgeDays ?? 365
  if ((options.now ?? Date.now)() - reviewed > maxAgeDays * DAY_MS) {
    const message = `last reviewed ${runbook.lastReviewed}, more than ${maxAgeDays} days ago: check it is still true and update last_reviewed`
    problems.push(problem('warning', RunbookProblemCode.staleReview, runbook.file, lineOf(['last_reviewed']), 'front_matter.last_reviewed', message))
  }
  const builtIns = Object.keys(BUILT_IN_PARAMETERS).join(', ')
  for (const step of runbook.steps) {
    for (const parameter of step.parameters.filter((p) => !isBuiltIn(p.name))) {
      for (const rule of served.filter((r) => !r.labels.includes(parameter.name))) {
        const labels = rule.labels.length === 0 ? 'none' : rule.labels.join(', ')
        const message = `{${parameter.name}} is not a label of rule '${rule.id}' (its labels: ${labels}) nor a built-in (${builtIns})`
        problems.push(problem('error', RunbookProblemCode.unknownParameter, runbook.file, parameter.line, `steps.${step.name}.sql.${parameter.name}`, message))
      }
    }
  }
  return problems
}

async function explainProblem(client: ClickHouseClient, runbook: Runbook, step: DiagnosticStep): Promise<RunbookProblem | undefined> {
  const bound = bindParameters(step.parameters, placeholderAlert(step.parameters.map((p) => p.name)))
  const fail = (message: string): RunbookProblem =>
    problem('error', RunbookProblemCode.explainFailed, runbook.file, step.line, `steps.${step.name}.sql`, message)
  if (!bound.ok) return fail(bound.message)
  try {
    await selectReadOnly(client, `EXPLAIN ${step.code}`, bound.params, { timeoutMs: step.timeoutMs, tag: `triage.explain.${runbook.id}.${step.name}` })
    return undefined
  } catch (error) {
    return fail(`EXPLAIN fails: ${errorText(error)}`)
  }
}

/**
 * Every problem across the runbooks and rules, sorted; errors fail CI. The runbooks are ones
 * that parsed (loadRunbooks); the store is migrated, so EXPLAIN sees the real tables.
 */
export async function validateRunbooks(
  store: StoreClient,
  runbooks: readonly Runbook[],
  rules: readonly RuleForRunbooks[],
  options: ValidateOptions = {},
): Promise<RunbookProblem[]> {
  const problems = [...duplicateIds(runbooks), ...ruleProblems(rules, runbooks), ...runbooks.flatMap((runbook) => runbookProblems(runbook, rules, options))]
  const diagnostics = runbooks.flatMap((runbook) =>
    runbook.steps.filter((step): step is DiagnosticStep => step.kind === 'diagnostic').map((step) => ({ runbook, step })),
  )
  for (const { runbook, step } of diagnostics) {
    // A session per statement, as for the diagnostics themselves (diagnostics.ts).
    const explainFailure = await store.withIsolatedSession((client) => explainProblem(client, runbook, step))
    if (explainFailure !== undefined) problems.push(explainFailure)
  }
  return sortRunbookProblems(problems)
}
