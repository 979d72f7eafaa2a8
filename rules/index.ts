// The alert rules engine: rules as code, evaluation over the KPI functions, the alert state
// machine, persistence, and the loop that hands alerts to the notifiers.
export {
  applyObservation,
  inactiveRecord,
  isActive,
  resolveFor,
  type AlertPhase,
  type AlertRecord,
  type AlertTimers,
  type EvalResult,
  type Observation,
  type ResolveReason,
  type Step,
  type Transition,
} from './state-machine.ts'
export { fingerprint } from './fingerprint.ts'
export { checkRuleTexts, DEFAULT_RULES_DIR, loadRules, type RuleLoad } from './loader.ts'
export { compare, type Comparison, type Rule, type RuleKind } from './model.ts'
export { KPI_NAMES, RuleFileSchema } from './schema.ts'
export { createRulesEngine, type CycleReport, type EngineLinks, type RuleRun, type RulesEngine, type RulesEngineOptions } from './engine.ts'
export { evaluateRule, type EvaluationContext, type Sample } from './evaluate.ts'
export { loadAlertStates, type AlertDetails, type StoredAlert } from './alert-store.ts'
export { renderTemplate } from './template.ts'
export {
  alertDetail,
  alertKpis,
  alertKpisQuery,
  alertListQuery,
  alertTransitionsQuery,
  createSilence,
  expireSilence,
  listAlerts,
  listSilences,
  recordAlertAction,
  type AlertDetail,
  type AlertFilterState,
  type AlertKpiRow,
  type AlertSummary,
  type Matcher,
  type Silence,
} from './alert-queries.ts'
export { ruleLabelNames } from './label-names.ts'
export { SOURCE_LATE, SOURCE_LATE_FOR_RUNBOOKS } from './source-late.ts'
export { formatRuleTestReport, runRuleTests, RuleTestFileSchema, type RuleTestOptions, type RuleTestReport } from './rule-tests/index.ts'
export {
  DEFAULT_ACK_TARGET_SECONDS,
  episodeReportPath,
  incidentMarkdown,
  incidentReport,
  incidentsMarkdown,
  incidentsReport,
  parseReportTime,
  renderReport,
  REPORT_FORMATS,
  reportHtml,
  type IncidentReport,
  type IncidentsReport,
  type RenderedReport,
  type ReportContext,
  type ReportFormat,
  type ReportRunbook,
} from './reports/index.ts'
