// Loads every alert rule file of a directory (default alert-rules/): YAML, schema, then the
// checks only the whole set can make (unique ids, processes, SLAs and milestones that exist,
// durations that parse). Problems as FILE:LINE: FIELD: message, like process definitions.
import { readdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Compile } from 'typebox/compile'
import { parseDuration } from '../core/durations.ts'
import {
  isError,
  ProblemCode,
  readSourceFile,
  schemaIssues,
  sortProblems,
  type DefinitionProblem,
  type FieldPath,
  type ProcessDefinition,
  type SourceDocument,
} from '../processes/index.ts'
import type { BaselineSpec } from './baseline.ts'
import type { FlapSpec, Rule } from './model.ts'
import { PROCESS_KPI_NAMES, RuleFileSchema, type BaselineDocument, type RuleDocument, type RuleFileDocument } from './schema.ts'

export const DEFAULT_RULES_DIR = 'alert-rules'
const DEFAULT_INTERVAL_MS = 60_000

export type RuleLoad =
  | { readonly ok: true; readonly rules: readonly Rule[]; readonly warnings: readonly DefinitionProblem[] }
  | { readonly ok: false; readonly problems: readonly DefinitionProblem[] }

const validator = Compile(RuleFileSchema)
const PROCESS_KPIS: ReadonlySet<string> = new Set(PROCESS_KPI_NAMES)
const DEFAULT_SOURCE_LATE_AFTER_MS = 30 * 60_000
const DEFAULT_WINDOW_MS = 15 * 60_000

type KpiDocument = Extract<RuleDocument, { kind: 'threshold' | 'anomaly' }>
type DurationOf = (field: string, text: string | undefined, fallback: number) => number
type ErrorAt = (path: FieldPath, code: (typeof ProblemCode)[keyof typeof ProblemCode], message: string) => void

function kpiFields(raw: KpiDocument, duration: DurationOf) {
  return {
    kpi: raw.kpi,
    ...(raw.process !== undefined ? { process: raw.process } : {}),
    ...(raw.sla !== undefined ? { sla: raw.sla } : {}),
    where: raw.where ?? {},
    groupBy: raw.group_by ?? [],
    windowMs: duration('window', raw.window, DEFAULT_WINDOW_MS),
  }
}

function baselineOf(raw: BaselineDocument, windowMs: number, duration: DurationOf): BaselineSpec {
  const common = { k: raw.k ?? 3, minDeviation: raw.min_deviation ?? 0, minSamples: raw.min_samples ?? 3 }
  if (raw.method === 'seasonal') return { method: 'seasonal', weeks: raw.weeks ?? 4, center: raw.center ?? 'median', ...common }
  return { method: 'ewma', alpha: raw.alpha, history: raw.history ?? 24, everyMs: duration('every', raw.every, windowMs), ...common }
}

function flapOf(raw: RuleDocument, path: FieldPath, error: ErrorAt): { flap?: FlapSpec } {
  if (raw.flap_detection === undefined) return {}
  const flap = { window: raw.flap_detection.window ?? 10, high: raw.flap_detection.high ?? 50, low: raw.flap_detection.low ?? 25 }
  if (flap.low >= flap.high) error([...path, 'low'], ProblemCode.invalidValue, `must be less than high (${flap.high}); it is ${flap.low}`)
  return { flap }
}

function build(source: SourceDocument, doc: RuleFileDocument, processes: ReadonlyMap<string, ProcessDefinition>, problems: DefinitionProblem[]): Rule[] {
  const error = (path: FieldPath, code: (typeof ProblemCode)[keyof typeof ProblemCode], message: string): void => {
    problems.push(source.problem('error', code, path, message))
  }
  const duration = (path: FieldPath, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback
    const parsed = parseDuration(text)
    if (!parsed.ok) {
      error(path, ProblemCode.badDuration, parsed.message)
      return fallback
    }
    return parsed.ms
  }
  const groupInterval = duration(['interval'], doc.interval, DEFAULT_INTERVAL_MS)
  return doc.rules.map((raw: RuleDocument, i): Rule => {
    const path = (field: string): FieldPath => ['rules', i, field]
    const process = 'process' in raw && raw.process !== undefined ? processes.get(raw.process) : undefined
    if ('process' in raw && raw.process !== undefined && process === undefined) {
      error(
        path('process'),
        ProblemCode.unknownProcess,
        `no process definition named ${JSON.stringify(raw.process)}; there are: ${[...processes.keys()].join(', ') || '(none)'}`,
      )
    }
    if ('sla' in raw && raw.sla !== undefined && process !== undefined && !process.slas.some((s) => s.name === raw.sla)) {
      error(
        path('sla'),
        ProblemCode.unknownSla,
        `${process.name} has no SLA named ${JSON.stringify(raw.sla)}; it has ${process.slas.map((s) => s.name).join(', ') || '(none)'}`,
      )
    }
    if (raw.kind === 'absence' && process !== undefined) {
      for (const field of ['after', 'expect'] as const) {
        if (!process.milestones.some((m) => m.name === raw[field])) {
          error(path(field), ProblemCode.unknownMilestone, `${process.name} has no milestone ${JSON.stringify(raw[field])}`)
        }
      }
    }
    if (raw.kind === 'threshold' || raw.kind === 'anomaly') {
      const kpi: string = raw.kpi
      if (PROCESS_KPIS.has(kpi) && raw.process === undefined)
        error(path('process'), ProblemCode.missingField, `kpi ${kpi} is measured per process: name the process`)
    }
    const labels: Record<string, string> = { ...doc.labels, ...raw.labels, alertname: raw.id }
    if (raw.route !== undefined) labels.route = raw.route
    if ('process' in raw && raw.process !== undefined) labels.process = raw.process
    const common = {
      id: raw.id,
      group: doc.group,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      forMs: duration(path('for'), raw.for, 0),
      keepFiringForMs: duration(path('keep_firing_for'), raw.keep_firing_for, 0),
      intervalMs: duration(path('interval'), raw.interval, groupInterval),
      severity: raw.severity ?? 'warning',
      labels,
      annotations: { summary: raw.annotations?.summary ?? raw.id, description: raw.annotations?.description ?? raw.description ?? '' },
      runbook: raw.runbook ?? raw.id,
      owner: raw.owner ?? '',
      noData: raw.no_data ?? 'ok',
      onError: raw.on_error ?? 'unknown',
      minSample: raw.min_sample ?? process?.nMin ?? 0,
      ...flapOf(raw, path('flap_detection'), error),
      sourceLateAfterMs: duration(path('source_late_after'), raw.source_late_after, DEFAULT_SOURCE_LATE_AFTER_MS),
      source: { file: source.file, line: source.lineOf(['rules', i]) },
    }
    switch (raw.kind) {
      case 'threshold':
        return {
          ...common,
          kind: 'threshold',
          ...kpiFields(raw, (field, text, fallback) => duration(path(field), text, fallback)),
          op: raw.op,
          value: raw.value,
          ...(raw.clear_value !== undefined ? { clearValue: raw.clear_value } : {}),
        }
      case 'anomaly': {
        const fields = kpiFields(raw, (field, text, fallback) => duration(path(field), text, fallback))
        return {
          ...common,
          kind: 'anomaly',
          ...fields,
          direction: raw.direction ?? 'both',
          baseline: baselineOf(raw.baseline, fields.windowMs, (field, text, fallback) => duration(['rules', i, 'baseline', field], text, fallback)),
        }
      }
      case 'stuck':
        return { ...common, kind: 'stuck', process: raw.process, minCount: raw.min_count ?? 1 }
      case 'sla_breach':
      case 'sla_at_risk':
        return { ...common, kind: raw.kind, process: raw.process, ...(raw.sla !== undefined ? { sla: raw.sla } : {}), minCount: raw.min_count ?? 1 }
      case 'absence':
        return {
          ...common,
          kind: 'absence',
          process: raw.process,
          after: raw.after,
          expect: raw.expect,
          withinMs: duration(path('within'), raw.within, 0),
          clock: raw.clock ?? 'wall',
        }
      case 'heartbeat':
        return { ...common, kind: 'heartbeat', system: raw.system, silentForMs: duration(path('silent_for'), raw.silent_for, 0) }
      case 'sql':
        return { ...common, kind: 'sql', sql: raw.sql, op: raw.op, value: raw.value }
    }
  })
}

/** The rules of some files' texts (tests, validation), checked against the process definitions. */
export function checkRuleTexts(files: ReadonlyArray<{ readonly file: string; readonly text: string }>, definitions: readonly ProcessDefinition[]): RuleLoad {
  const processes = new Map(definitions.map((d) => [String(d.name), d]))
  const problems: DefinitionProblem[] = []
  const rules: Rule[] = []
  const seen = new Map<string, string>()
  for (const { file, text } of files) {
    const parsed = readSourceFile(file, text)
    problems.push(...parsed.problems)
    for (const source of parsed.documents) {
      if (!validator.Check(source.value)) {
        for (const issue of schemaIssues(RuleFileSchema, source.value)) problems.push(source.problem('error', issue.code, issue.path, issue.message, issue.at))
        continue
      }
      const built = build(source, source.value, processes, problems)
      for (const [i, rule] of built.entries()) {
        const first = seen.get(rule.id)
        if (first !== undefined)
          problems.push(source.problem('error', ProblemCode.duplicateRule, ['rules', i, 'id'], `rule id ${rule.id} is also used at ${first}`))
        else seen.set(rule.id, `${file}:${rule.source.line}`)
        rules.push(rule)
      }
    }
  }
  const errors = problems.filter(isError)
  if (errors.length > 0) return { ok: false, problems: sortProblems(problems) }
  return { ok: true, rules, warnings: sortProblems(problems) }
}

/** Every *.yaml / *.yml of `dir`; no directory means no rules. */
export async function loadRules(dir: string, definitions: readonly ProcessDefinition[]): Promise<RuleLoad> {
  if (!existsSync(dir)) return { ok: true, rules: [], warnings: [] }
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort()
  const files = await Promise.all(names.map(async (name) => ({ file: join(dir, name), text: await readFile(join(dir, name), 'utf8') })))
  return checkRuleTexts(files, definitions)
}
