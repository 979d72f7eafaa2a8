// Unit tests of alert rules (`throughline rules test FILE...`, docs/rule-tests.md): the test
// file schema, its loader, the runner on simulated time and the promtool-style report.
export { formatRuleTestReport, type FormattedReport } from './format.ts'
export { loadRuleTestFile, parseTestTime, type LoadOptions, type TestCase, type TestFileLoad, type TestFilePlan } from './load.ts'
export { recordingChannels, type RecordDelivery } from './recording-channels.ts'
export {
  runRuleTests,
  type AssertionResult,
  type RecordedMessage,
  type RuleTestFileResult,
  type RuleTestOptions,
  type RuleTestReport,
  type TestCaseResult,
} from './runner.ts'
export { ALERT_TEST_STATES, RuleTestFileSchema, type AlertTestState, type RuleTestFileDocument } from './schema.ts'
