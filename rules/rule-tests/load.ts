// Reads a rule test file into a plan the runner executes: the rules it tests (checked against
// the process definitions, as `rules validate` does), every input as a row with the time it
// becomes visible (its observed time: late data arrives late), and every assertion with its
// time resolved. Anything wrong is a problem FILE:LINE: FIELD: message, and the file is not run.
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { Compile } from 'typebox/compile'
import { parse as parseYaml } from 'yaml'
import { formatDuration, parseDuration } from '../../core/durations.ts'
import { compileNotifyConfig, parseNotifyConfig, type NotifyConfig, type NotifyReason } from '../../notify/index.ts'
import {
  checkDefinitionTexts,
  isError,
  ProblemCode,
  readSourceFile,
  schemaIssues,
  sortProblems,
  type BusinessEventRow,
  type DefinitionProblem,
  type FieldPath,
  type ProcessDefinition,
  type SourceDocument,
} from '../../processes/index.ts'
import { checkRuleTexts } from '../loader.ts'
import type { Rule } from '../model.ts'
import { SOURCE_LATE } from '../source-late.ts'
import type { AlertPhase } from '../state-machine.ts'
import {
  RuleTestFileSchema,
  type AlertExpectationDocument,
  type AlertTestState,
  type EventInputDocument,
  type RuleTestCaseDocument,
  type RuleTestFileDocument,
  type SpanInputDocument,
} from './schema.ts'

/** A time of the test as written and as milliseconds since the epoch. */
export interface TestTime {
  readonly text: string
  readonly ms: number
}

export interface EventInput {
  readonly row: BusinessEventRow
  readonly observedMs: number
}

export interface SpanInput {
  /** One JSONEachRow line of SpanInsert columns. */
  readonly json: string
  readonly observedMs: number
}

export interface AlertExpectation {
  readonly line: number
  readonly labels: Readonly<Record<string, string>>
  readonly state: AlertTestState
  readonly phase?: AlertPhase
  readonly annotations?: { readonly summary?: string; readonly description?: string }
  /** undefined: not checked. */
  readonly value?: number | null
  readonly impact?: {
    readonly instances?: number
    readonly sampleKeys?: readonly string[]
    readonly valueAtRisk?: ReadonlyArray<{ readonly currency: string; readonly amount: number }>
    readonly slaBreachAt?: TestTime
  }
  readonly impactStart?: TestTime
}

export interface AlertAssertion {
  readonly line: number
  readonly evalTime: TestTime
  readonly alertname: string
  readonly expected: readonly AlertExpectation[]
}

export interface NotificationExpectation {
  readonly line: number
  readonly time: TestTime
  readonly receiver: string
  readonly reason: NotifyReason
  readonly thread: 'new' | 'same'
  readonly status?: 'firing' | 'resolved'
  readonly alerts?: readonly string[]
  readonly title?: string
}

export interface NotificationAssertion {
  readonly line: number
  readonly config: NotifyConfig
  readonly until: TestTime
  readonly expected: readonly NotificationExpectation[]
}

export interface TestCase {
  readonly name: string
  readonly line: number
  readonly startMs: number
  readonly intervalMs: number
  /** The last simulated instant: the latest eval_time, notification time or `until`. */
  readonly endMs: number
  readonly rules: readonly Rule[]
  readonly events: readonly EventInput[]
  readonly spans: readonly SpanInput[]
  readonly alertTests: readonly AlertAssertion[]
  readonly notifications?: NotificationAssertion
}

export interface TestFilePlan {
  readonly file: string
  readonly definitions: readonly ProcessDefinition[]
  readonly cases: readonly TestCase[]
}

export type TestFileLoad =
  | { readonly ok: true; readonly plan: TestFilePlan; readonly warnings: readonly DefinitionProblem[] }
  | { readonly ok: false; readonly problems: readonly DefinitionProblem[] }

export interface LoadOptions {
  /** The process definitions directory used when the file names none (default processes.d). */
  readonly processesDir?: string
}

const validator = Compile(RuleTestFileSchema)
const DEFAULT_INTERVAL_MS = 60_000
const DEFAULT_SPAN_DURATION_MS = 100
const MAX_EVALUATIONS = 50_000
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i
const YAML_FILE = /\.ya?ml$/

type TimeParse = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string }

/** An offset from the start ('90m', '-2h', '0') or an RFC 3339 time with a zone. */
export function parseTestTime(text: string, startMs: number): TimeParse {
  const trimmed = text.trim()
  if (RFC3339.test(trimmed)) {
    const ms = Date.parse(trimmed)
    return Number.isFinite(ms) ? { ok: true, ms } : { ok: false, message: `'${text}' is not a valid time` }
  }
  if (/^-?0+$/.test(trimmed)) return { ok: true, ms: startMs }
  const negative = trimmed.startsWith('-')
  const parsed = parseDuration(negative ? trimmed.slice(1) : trimmed)
  if (parsed.ok) return { ok: true, ms: startMs + (negative ? -parsed.ms : parsed.ms) }
  return { ok: false, message: `'${text}' is neither an offset from start_timestamp ('90m', '-2h', '1d4h') nor an RFC 3339 time with a zone` }
}

/** A test time as the report shows it: the offset as written, and the instant in UTC. */
export function showTime(time: TestTime): string {
  const iso = new Date(time.ms).toISOString()
  return time.text === iso ? iso : `${time.text} (${iso})`
}

/** The offset of `ms` from the start, written as a test file would ('4h15m30s', '-2h'). */
export const offsetText = (ms: number, startMs: number): string => formatDuration(ms - startMs)

async function yamlFilesOf(path: string): Promise<string[]> {
  if (statSync(path).isDirectory()) {
    return (await readdir(path))
      .filter((n) => YAML_FILE.test(n))
      .sort()
      .map((n) => join(path, n))
  }
  return [path]
}

const hex = (parts: unknown, length: number): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length)
const text = (value: string | number | boolean): string => String(value)
const substitute = (value: string, i: number): string => value.replaceAll('{i}', String(i))
const mapOf = (values: Readonly<Record<string, string | number | boolean>> | undefined, i: number): Record<string, string> =>
  Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, substitute(text(v), i)]))

/** `seconds.nanoseconds`, which DateTime64 columns read from JSON text. */
const epochText = (ms: number, digits: 3 | 9): string => {
  const seconds = Math.floor(ms / 1000)
  const fraction = ms - seconds * 1000
  return `${seconds}.${String(fraction).padStart(3, '0')}${digits === 9 ? '000000' : ''}`
}

const SPAN_KINDS = { client: 'Client', server: 'Server', internal: 'Internal', producer: 'Producer', consumer: 'Consumer' } as const
const STATUS_CODES = { ok: 'Ok', error: 'Error', unset: 'Unset' } as const

/** The otel_traces columns a span input fills (IngestedAt too, MATERIALIZED otherwise), and their types. */
export const SPAN_COLUMNS =
  'Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, SpanAttributes, Duration, StatusCode, IngestedAt'
export const SPAN_STRUCTURE =
  "Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String, SpanName String, SpanKind String, ServiceName String, ResourceAttributes Map(String, String), SpanAttributes Map(String, String), Duration UInt64, StatusCode String, IngestedAt DateTime64(3, 'UTC')"

class FileContext {
  readonly problems: DefinitionProblem[] = []
  readonly source: SourceDocument
  constructor(source: SourceDocument) {
    this.source = source
  }
  error(path: FieldPath, code: (typeof ProblemCode)[keyof typeof ProblemCode], message: string, at?: 'key' | 'value'): void {
    this.problems.push(this.source.problem('error', code, path, message, at))
  }
  duration(path: FieldPath, value: string | undefined, fallback: number): number {
    if (value === undefined) return fallback
    const parsed = parseDuration(value)
    if (parsed.ok) return parsed.ms
    this.error(path, ProblemCode.badDuration, parsed.message)
    return fallback
  }
  time(path: FieldPath, value: string, startMs: number): TestTime {
    const parsed = parseTestTime(value, startMs)
    if (parsed.ok) return { text: value, ms: parsed.ms }
    this.error(path, ProblemCode.invalidValue, parsed.message)
    return { text: value, ms: startMs }
  }
}

interface Repeat {
  readonly count: number
  readonly everyMs: number
}

function repeatOf(ctx: FileContext, path: FieldPath, input: { readonly count?: number; readonly every?: string }): Repeat {
  const count = input.count ?? 1
  const everyMs = ctx.duration([...path, 'every'], input.every, 0)
  if (count > 1 && input.every === undefined)
    ctx.error([...path, 'count'], ProblemCode.missingField, 'a count above 1 needs `every` (the gap between the copies)')
  return { count, everyMs }
}

function buildEvents(
  ctx: FileContext,
  path: FieldPath,
  inputs: readonly EventInputDocument[],
  defaultProcess: string | undefined,
  processes: ReadonlyMap<string, ProcessDefinition>,
  startMs: number,
): EventInput[] {
  const out: EventInput[] = []
  for (const [index, input] of inputs.entries()) {
    const at = [...path, index]
    const name = input.process ?? defaultProcess
    if (name === undefined) {
      ctx.error(at, ProblemCode.missingField, 'no process: set `process` on the event, the test or the file')
      continue
    }
    const definition = processes.get(name)
    if (definition === undefined) {
      ctx.error(
        input.process !== undefined ? [...at, 'process'] : at,
        ProblemCode.unknownProcess,
        `no process definition named ${JSON.stringify(name)}; there are: ${[...processes.keys()].join(', ') || '(none)'}`,
      )
      continue
    }
    const milestone = definition.milestones.find((m) => m.name === input.milestone || m.aliases.includes(input.milestone))
    if (milestone === undefined) {
      ctx.error([...at, 'milestone'], ProblemCode.unknownMilestone, `${name} has no milestone ${JSON.stringify(input.milestone)}`)
      continue
    }
    const time = ctx.time([...at, 'time'], input.time, startMs)
    const observed = input.observed === undefined ? time : ctx.time([...at, 'observed'], input.observed, startMs)
    const repeat = repeatOf(ctx, at, input)
    for (let i = 1; i <= repeat.count; i++) {
      const shift = (i - 1) * repeat.everyMs
      const tsMs = time.ms + shift
      const keys = mapOf(input.keys, i)
      const status = input.status ?? 'ok'
      const operationId = input.operation_id === undefined ? '' : substitute(input.operation_id, i)
      const attempt = input.attempt ?? 0
      const row: BusinessEventRow = {
        process: definition.name,
        processVersion: definition.version,
        eventId: input.id !== undefined ? substitute(input.id, i) : hex([name, milestone.name, tsMs, keys, status, operationId, attempt], 24),
        tsNs: BigInt(tsMs) * 1_000_000n,
        observedNs: BigInt(observed.ms + shift) * 1_000_000n,
        milestone: milestone.name,
        status,
        system: input.system ?? milestone.system ?? '',
        keys,
        operationId,
        attempt,
        attrs: mapOf(input.attrs, i),
        traceId: '',
        spanId: '',
        links: [],
        source: 'event',
      }
      out.push({ row, observedMs: observed.ms + shift })
    }
  }
  return out
}

function buildSpans(ctx: FileContext, path: FieldPath, inputs: readonly SpanInputDocument[], startMs: number): SpanInput[] {
  const out: SpanInput[] = []
  for (const [index, input] of inputs.entries()) {
    const at = [...path, index]
    const time = ctx.time([...at, 'time'], input.time, startMs)
    const durationMs = ctx.duration([...at, 'duration'], input.duration, DEFAULT_SPAN_DURATION_MS)
    const observed = input.observed === undefined ? undefined : ctx.time([...at, 'observed'], input.observed, startMs)
    const repeat = repeatOf(ctx, at, input)
    for (let i = 1; i <= repeat.count; i++) {
      const shift = (i - 1) * repeat.everyMs
      const spanStart = time.ms + shift
      const observedMs = observed === undefined ? spanStart + durationMs : observed.ms + shift
      const attributes: Record<string, string> = {
        ...(input.integration !== undefined ? { 'integration.name': input.integration } : {}),
        ...(input.source_system !== undefined ? { 'integration.source.system': input.source_system } : {}),
        ...(input.target_system !== undefined ? { 'integration.target.system': input.target_system } : {}),
        ...mapOf(input.attrs, i),
      }
      out.push({
        observedMs,
        json: JSON.stringify({
          Timestamp: epochText(spanStart, 9),
          TraceId: hex([ctx.source.file, index, i, 'trace'], 32),
          SpanId: hex([ctx.source.file, index, i, spanStart, 'span'], 16),
          ParentSpanId: '',
          SpanName: input.name,
          SpanKind: SPAN_KINDS[input.kind ?? 'client'],
          ServiceName: input.service,
          ResourceAttributes: { 'service.name': input.service, ...mapOf(input.resource, i) },
          SpanAttributes: attributes,
          Duration: String(BigInt(durationMs) * 1_000_000n),
          StatusCode: STATUS_CODES[input.status ?? 'unset'],
          IngestedAt: epochText(observedMs, 3),
        }),
      })
    }
  }
  return out
}

function buildExpectation(ctx: FileContext, path: FieldPath, doc: AlertExpectationDocument, startMs: number): AlertExpectation {
  const impact = doc.exp_impact
  return {
    line: ctx.source.lineOf(path),
    labels: doc.exp_labels ?? {},
    state: doc.exp_state ?? 'firing',
    ...(doc.exp_phase !== undefined ? { phase: doc.exp_phase } : {}),
    ...(doc.exp_annotations !== undefined ? { annotations: doc.exp_annotations } : {}),
    ...(doc.exp_value !== undefined ? { value: doc.exp_value } : {}),
    ...(impact !== undefined
      ? {
          impact: {
            ...(impact.instances !== undefined ? { instances: impact.instances } : {}),
            ...(impact.sample_keys !== undefined ? { sampleKeys: impact.sample_keys } : {}),
            ...(impact.value_at_risk !== undefined ? { valueAtRisk: impact.value_at_risk } : {}),
            ...(impact.sla_breach_at !== undefined ? { slaBreachAt: ctx.time([...path, 'exp_impact', 'sla_breach_at'], impact.sla_breach_at, startMs) } : {}),
          },
        }
      : {}),
    ...(doc.exp_impact_start !== undefined ? { impactStart: ctx.time([...path, 'exp_impact_start'], doc.exp_impact_start, startMs) } : {}),
  }
}

async function notificationConfig(
  ctx: FileContext,
  path: FieldPath,
  test: NonNullable<RuleTestCaseDocument['notification_test']>,
): Promise<NotifyConfig | undefined> {
  if ((test.config === undefined) === (test.config_file === undefined)) {
    ctx.error(path, ProblemCode.missingField, 'give the notification config as `config` (inline) or `config_file` (a path), one of the two')
    return undefined
  }
  let value: unknown = test.config
  const field = test.config_file !== undefined ? 'config_file' : 'config'
  if (test.config_file !== undefined) {
    const file = resolve(dirname(ctx.source.file), test.config_file)
    try {
      value = parseYaml(await readFile(file, 'utf8'))
    } catch (err) {
      ctx.error([...path, field], ProblemCode.unreadable, `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
      return undefined
    }
  }
  try {
    const config = parseNotifyConfig(value, 'notification config')
    compileNotifyConfig(config)
    return config
  } catch (err) {
    ctx.error([...path, field], ProblemCode.invalidValue, err instanceof Error ? err.message : String(err))
    return undefined
  }
}

async function buildCase(
  ctx: FileContext,
  doc: RuleTestFileDocument,
  index: number,
  rules: readonly Rule[],
  processes: ReadonlyMap<string, ProcessDefinition>,
): Promise<TestCase | undefined> {
  const test = doc.tests[index]!
  const path: FieldPath = ['tests', index]
  const name = test.name ?? `tests[${index}]`
  const startText = test.start_timestamp ?? doc.start_timestamp
  if (startText === undefined) {
    ctx.error(path, ProblemCode.missingField, 'no start_timestamp: set it on the test or the file (an RFC 3339 time with a zone: time 0 of the test)')
    return undefined
  }
  const startMs = RFC3339.test(startText.trim()) ? Date.parse(startText) : Number.NaN
  if (!Number.isFinite(startMs)) {
    ctx.error(
      test.start_timestamp !== undefined ? [...path, 'start_timestamp'] : ['start_timestamp'],
      ProblemCode.invalidValue,
      `'${startText}' is not an RFC 3339 time with a zone, e.g. 2026-11-02T09:00:00+08:00`,
    )
    return undefined
  }
  const intervalPath: FieldPath = test.evaluation_interval !== undefined ? [...path, 'evaluation_interval'] : ['evaluation_interval']
  const intervalMs = ctx.duration(intervalPath, test.evaluation_interval ?? doc.evaluation_interval, DEFAULT_INTERVAL_MS)
  if (intervalMs <= 0) ctx.error(intervalPath, ProblemCode.badDuration, 'must be longer than 0')

  const byId = new Map(rules.map((r) => [r.id, r]))
  let selected = rules
  if (test.rules !== undefined) {
    selected = []
    for (const [i, id] of test.rules.entries()) {
      const rule = byId.get(id)
      if (rule === undefined)
        ctx.error([...path, 'rules', i], ProblemCode.invalidValue, `no rule ${JSON.stringify(id)} in the rule files; there are: ${[...byId.keys()].join(', ')}`)
      else selected = [...selected, rule]
    }
  }
  const selectedIds = new Set(selected.map((r) => r.id))

  const defaultProcess = test.process ?? doc.process
  const events = buildEvents(ctx, [...path, 'input_events'], test.input_events ?? [], defaultProcess, processes, startMs)
  const spans = buildSpans(ctx, [...path, 'input_spans'], test.input_spans ?? [], startMs)

  const alertTests: AlertAssertion[] = (test.alert_rule_test ?? []).map((t, i) => {
    const at: FieldPath = [...path, 'alert_rule_test', i]
    const evalTime = ctx.time([...at, 'eval_time'], t.eval_time, startMs)
    if (evalTime.ms < startMs)
      ctx.error([...at, 'eval_time'], ProblemCode.invalidValue, `is before the test's start_timestamp (${new Date(startMs).toISOString()})`)
    // SourceLate is built in: raised by the engine, not by a rule of the files.
    if (!selectedIds.has(t.alertname) && t.alertname !== SOURCE_LATE) {
      const why = byId.has(t.alertname) ? 'is not among the rules this test evaluates (`rules`)' : 'is no rule in the rule files'
      ctx.error([...at, 'alertname'], ProblemCode.invalidValue, `${JSON.stringify(t.alertname)} ${why}; they are: ${[...selectedIds].join(', ')}`)
    }
    return {
      line: ctx.source.lineOf(at),
      evalTime,
      alertname: t.alertname,
      expected: (t.exp_alerts ?? []).map((e, j) => buildExpectation(ctx, [...at, 'exp_alerts', j], e, startMs)),
    }
  })

  let notifications: NotificationAssertion | undefined
  if (test.notification_test !== undefined) {
    const at: FieldPath = [...path, 'notification_test']
    const config = await notificationConfig(ctx, at, test.notification_test)
    const receivers = new Set((config?.receivers ?? []).map((r) => r.name))
    const expected = test.notification_test.exp_notifications.map((n, i): NotificationExpectation => {
      const np: FieldPath = [...at, 'exp_notifications', i]
      if (config !== undefined && !receivers.has(n.receiver))
        ctx.error(
          [...np, 'receiver'],
          ProblemCode.invalidValue,
          `no receiver ${JSON.stringify(n.receiver)} in the notification config; there are: ${[...receivers].join(', ')}`,
        )
      return {
        line: ctx.source.lineOf(np),
        time: ctx.time([...np, 'time'], n.time, startMs),
        receiver: n.receiver,
        reason: n.reason,
        thread: n.thread,
        ...(n.status !== undefined ? { status: n.status } : {}),
        ...(n.alerts !== undefined ? { alerts: n.alerts } : {}),
        ...(n.title !== undefined ? { title: n.title } : {}),
      }
    })
    const lastExpected = expected.reduce((max, n) => Math.max(max, n.time.ms), startMs)
    const until =
      test.notification_test.until !== undefined
        ? ctx.time([...at, 'until'], test.notification_test.until, startMs)
        : { text: offsetText(lastExpected, startMs), ms: lastExpected }
    if (config !== undefined) notifications = { line: ctx.source.lineOf(at, 'key'), config, until, expected }
  }

  const endMs = Math.max(startMs, ...alertTests.map((t) => t.evalTime.ms), notifications?.until.ms ?? startMs)
  if (intervalMs > 0 && (endMs - startMs) / intervalMs > MAX_EVALUATIONS) {
    ctx.error(
      intervalPath,
      ProblemCode.invalidValue,
      `${Math.ceil((endMs - startMs) / intervalMs)} evaluations from start to ${new Date(endMs).toISOString()} are too many (at most ${MAX_EVALUATIONS}): raise evaluation_interval`,
    )
  }
  if (alertTests.length === 0 && notifications === undefined && test.notification_test === undefined)
    ctx.error(path, ProblemCode.missingField, 'asserts nothing: give alert_rule_test or notification_test')
  return {
    name,
    line: ctx.source.lineOf(path),
    startMs,
    intervalMs,
    endMs,
    rules: selected,
    events,
    spans,
    alertTests,
    ...(notifications !== undefined ? { notifications } : {}),
  }
}

async function readTexts(
  ctx: FileContext,
  path: FieldPath,
  entries: readonly string[],
  base: string,
): Promise<Array<{ readonly file: string; readonly text: string }>> {
  const out: Array<{ file: string; text: string }> = []
  for (const [i, entry] of entries.entries()) {
    const target = isAbsolute(entry) ? entry : join(base, entry)
    if (!existsSync(target)) {
      ctx.error([...path, i], ProblemCode.unreadable, `${target} does not exist`)
      continue
    }
    const files = await yamlFilesOf(target)
    if (files.length === 0) ctx.error([...path, i], ProblemCode.unreadable, `${target} holds no *.yaml or *.yml file`)
    for (const file of files) out.push({ file, text: await readFile(file, 'utf8') })
  }
  return out
}

/** Loads and checks one test file; it runs only when nothing in it (or in what it names) is wrong. */
export async function loadRuleTestFile(file: string, options: LoadOptions = {}): Promise<TestFileLoad> {
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch (err) {
    return {
      ok: false,
      problems: [
        { severity: 'error', code: ProblemCode.unreadable, file, line: 0, field: '(file)', message: err instanceof Error ? err.message : String(err) },
      ],
    }
  }
  const parsed = readSourceFile(file, source)
  if (parsed.problems.length > 0) return { ok: false, problems: sortProblems(parsed.problems) }
  const [document, ...extra] = parsed.documents
  if (document === undefined)
    return { ok: false, problems: [{ severity: 'error', code: ProblemCode.invalidValue, file, line: 0, field: '(document)', message: 'the file is empty' }] }
  const ctx = new FileContext(document)
  for (const more of extra) ctx.problems.push(more.problem('error', ProblemCode.invalidValue, [], 'a test file holds one YAML document'))
  if (typeof document.value !== 'object' || document.value === null || Array.isArray(document.value)) {
    ctx.error([], ProblemCode.invalidValue, 'a rule test file is a mapping: rule_files, tests, ...')
    return { ok: false, problems: sortProblems(ctx.problems) }
  }
  if (!validator.Check(document.value)) {
    for (const issue of schemaIssues(RuleTestFileSchema, document.value)) ctx.error(issue.path, issue.code, issue.message, issue.at)
    return { ok: false, problems: sortProblems(ctx.problems) }
  }
  const doc = document.value
  const base = dirname(file)

  // Without process_definitions, the configured directory (if there is one: heartbeat and
  // integration rules need no definition).
  const defaultDir = options.processesDir ?? 'processes.d'
  const definitionTexts =
    doc.process_definitions !== undefined
      ? await readTexts(ctx, ['process_definitions'], doc.process_definitions, base)
      : existsSync(defaultDir)
        ? await readTexts(ctx, [], [defaultDir], process.cwd())
        : []
  const definitionLoad = checkDefinitionTexts(definitionTexts)
  const problems: DefinitionProblem[] = []
  if (!definitionLoad.ok) problems.push(...definitionLoad.problems.filter(isError))
  const definitions = definitionLoad.ok ? definitionLoad.definitions : []

  const ruleLoad = checkRuleTexts(await readTexts(ctx, ['rule_files'], doc.rule_files, base), definitions)
  if (!ruleLoad.ok) problems.push(...ruleLoad.problems.filter(isError))
  const rules = ruleLoad.ok ? ruleLoad.rules : []

  const processes = new Map(definitions.map((d) => [String(d.name), d]))
  const cases: TestCase[] = []
  if (problems.length === 0) {
    for (const index of doc.tests.keys()) {
      const built = await buildCase(ctx, doc, index, rules, processes)
      if (built !== undefined) cases.push(built)
    }
  }
  problems.push(...ctx.problems)
  const errors = problems.filter(isError)
  if (errors.length > 0) return { ok: false, problems: sortProblems(errors) }
  return {
    ok: true,
    plan: { file, definitions, cases },
    warnings: sortProblems([...(definitionLoad.ok ? definitionLoad.warnings : []), ...(ruleLoad.ok ? ruleLoad.warnings : [])]),
  }
}
