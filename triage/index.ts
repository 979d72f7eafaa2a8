// Runbook triage: runbooks as Markdown files (runbooks/*.md) with executable steps; their
// automatic diagnostics run when an alert fires and resolves, actions run when an operator
// asks (audited), and CI validates them against the rules and the real schema.
export {
  REQUIRED_SECTIONS,
  type ActionStep,
  type AlertContext,
  type AppliesTo,
  type DiagnosticStep,
  type QueryParameter,
  type RequiredSection,
  type RuleForRunbooks,
  type Runbook,
  type RunbookFrontMatter,
  type RunbookSection,
  type RunbookStep,
  type StepKind,
} from './model.ts'
export { formatRunbookProblem, isRunbookError, RunbookProblemCode, sortRunbookProblems, type RunbookProblem, type RunbookProblemCodeValue } from './problems.ts'
export { parseRunbook, type RunbookRead } from './parse.ts'
export { RunbookFrontMatterSchema } from './front-matter.ts'
export { DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_MS, MAX_MAX_ROWS, MAX_TIMEOUT_MS, parseAttributes, STEP_KINDS } from './steps.ts'
export { BUILT_IN_PARAMETERS } from './parameters.ts'
export { checkRunbookTexts, DEFAULT_RUNBOOKS_DIR, loadRunbooks, type RunbookLoad } from './loader.ts'
export { runDiagnostics, type DiagnosticPhase, type DiagnosticsOptions } from './diagnostics.ts'
export { alertContext, STEP_LOOKBACK_MS, type AlertForSteps } from './alert-context.ts'
export {
  ACTION_EXECUTORS,
  runAction,
  sqlAction,
  type ActionExecutor,
  type ActionOptions,
  type ActionOutcome,
  type ActionRequest,
  type ActionResult,
} from './actions.ts'
export { coverageOf, runbookForAlert, rulesOfRunbook, type AlertForRunbook, type RuleCoverage } from './coverage.ts'
export { validateRunbooks, type ValidateOptions } from './validate.ts'
export { renderRunbook, type RenderedRunbook, type RenderedSection, type RenderedStep } from './render.ts'
