// The rules engine loop: each rule is evaluated on its interval at an event time, every
// sample moves its alert's state machine, the records and transitions are persisted, and then
// the current alerts go to the notifiers (and, on firing and on resolving, through the
// runbook's automatic diagnostics). Persisting first means a crash between the two re-sends
// nothing: the notifier's own log dedupes what it already delivered.
import type { Logger } from 'pino'
import type { Alert, AlertImpact, DiagnosticFinding } from '../notify/index.ts'
import type { FactsSource, ProcessDefinition } from '../processes/index.ts'
import { queryRows, type StoreClient } from '../store/index.ts'
import { loadAlertStates, saveAlertStates, saveTransitions, type StoredAlert, type TransitionRow } from './alert-store.ts'
import { AlertIndex } from './alert-index.ts'
import { emptyAlert, observeAlert, type Observed } from './alert-observe.ts'
import { createCycleMemo, type CycleMemo } from './cycle-memo.ts'
import { evaluateRule, type Sample } from './evaluate.ts'
import { fingerprint } from './fingerprint.ts'
import { reevaluateLateData } from './late-data.ts'
import type { Rule } from './model.ts'
import { selectForNotifier } from './notification-hold.ts'
import { SOURCE_LATE, SOURCE_LATE_ANNOTATIONS, SOURCE_LATE_RUNBOOK, sourceLateLabels, sourceLateObservations, systemsLateBeyondLimit } from './source-late.ts'
import { resolveFor, type EvalResult, type Observation } from './state-machine.ts'

export interface EngineLinks {
  /** Base URL of the API, e.g. http://localhost:8080. */
  readonly api: string
  /** Where runbooks are read, e.g. http://localhost:8080/api/v1/runbooks. */
  readonly runbooks: string
  readonly dashboards?: string
}

export interface RulesEngineOptions {
  readonly store: StoreClient
  /** 'rollup' where a deriver keeps the facts rollup (serve): evaluations at now read it (ADR 0005). */
  readonly facts?: FactsSource
  readonly rules: readonly Rule[]
  readonly definitions: readonly ProcessDefinition[]
  readonly logger: Logger
  readonly links: EngineLinks
  /** The notifiers: called after every cycle with the current alerts (and those just resolved). */
  readonly notify?: (alerts: readonly Alert[], nowMs: number) => Promise<void>
  /** Runs a runbook's automatic diagnostics when an alert fires or resolves. */
  readonly diagnose?: (alert: Alert, phase: 'fired' | 'resolved') => Promise<readonly DiagnosticFinding[]>
  readonly clock?: () => number
  /** Resolved alerts are still handed to the notifiers this long (resolve messages, Alertmanager endsAt). */
  readonly resolvedRetentionMs?: number
}

export interface RuleRun {
  readonly ruleId: string
  readonly atMs: number
  readonly durationMs: number
  readonly samples: number
  readonly error?: string
}

export interface CycleReport {
  readonly atMs: number
  readonly runs: readonly RuleRun[]
  readonly transitions: number
}

export interface RulesEngine {
  /** Evaluates every rule that is due at `atMs` (default now); the timer calls it. */
  evaluate(atMs?: number, options?: { readonly all?: boolean }): Promise<CycleReport>
  /** The alerts as the engine holds them now. */
  alerts(): readonly StoredAlert[]
  lastRuns(): ReadonlyMap<string, RuleRun>
  start(tickMs?: number): void
  stop(): Promise<void>
}

/** What the rules of one cycle share: its statements' answers and its wall clock (what "now" is to the facts rollup). */
interface SharedInCycle {
  readonly memo: CycleMemo
  readonly nowMs: number
}

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'firing', 'recovering'])

/** Alerts whose rule is gone from the rule files resolve with reason `deleted` at start. */
async function resolveAlertsOfRemovedRules(options: RulesEngineOptions, states: Map<string, StoredAlert>, nowMs: number): Promise<void> {
  const ruleIds = new Set(options.rules.map((r) => r.id))
  const changed: StoredAlert[] = []
  const transitions: TransitionRow[] = []
  for (const [fp, stored] of states) {
    if (ruleIds.has(stored.record.ruleId) || stored.record.ruleId === SOURCE_LATE || !ACTIVE.has(stored.record.phase)) continue
    const step = resolveFor(stored.record, 'deleted', nowMs)
    const next = { record: step.record, details: stored.details }
    states.set(fp, next)
    changed.push(next)
    for (const transition of step.transitions) transitions.push({ record: step.record, transition, details: 'rule removed from the rule files' })
  }
  await saveTransitions(options.store, transitions)
  await saveAlertStates(options.store, changed)
}

export async function createRulesEngine(options: RulesEngineOptions): Promise<RulesEngine> {
  const clock = options.clock ?? Date.now
  const definitions = new Map(options.definitions.map((d) => [String(d.name), d]))
  // Loaded before the first cycle; a store that is down at start (a server) is retried then.
  const states = new AlertIndex()
  let loaded = false
  const ensureLoaded = async (): Promise<void> => {
    if (loaded) return
    for (const [fp, stored] of await loadAlertStates(options.store)) states.set(fp, stored)
    await resolveAlertsOfRemovedRules(options, states, clock())
    loaded = true
  }
  await ensureLoaded().catch((err: unknown) => options.logger.warn({ err }, 'alert states not readable yet; the first cycle tries again'))
  const lastRun = new Map<string, RuleRun>()
  const diagnostics = new Map<string, readonly DiagnosticFinding[]>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<CycleReport> | undefined
  let stopped = false

  /** Episodes whose latest ack/unack is an ack: reminders stop for them. */
  let acknowledged: ReadonlySet<string> = new Set()
  const readAcks = async (episodes: readonly string[]): Promise<void> => {
    if (episodes.length === 0) return void (acknowledged = new Set())
    const rows = await queryRows<{ EpisodeId: string }>(
      options.store,
      `SELECT EpisodeId FROM alert_actions WHERE EpisodeId IN {episodes:Array(String)} AND Action IN ('ack', 'unack')
       GROUP BY EpisodeId HAVING argMax(Action, At) = 'ack'`,
      { episodes },
      { tag: 'rules.acks' },
    )
    acknowledged = new Set(rows.map((r) => r.EpisodeId))
  }

  const toAlert = (stored: StoredAlert, rule: Rule | undefined): Alert => {
    const { record, details } = stored
    const resolved = record.phase === 'resolved'
    return {
      fingerprint: record.fingerprint,
      episodeId: record.episodeId,
      ruleId: record.ruleId,
      labels: record.labels,
      annotations: { summary: details.summary, description: details.description },
      severity: rule?.severity ?? 'warning',
      state: resolved ? 'resolved' : 'firing',
      startsAt: new Date(record.impactStartMs).toISOString(),
      firedAt: new Date(record.firingSinceMs || record.pendingSinceMs).toISOString(),
      ...(resolved
        ? { resolvedAt: new Date(record.resolvedMs).toISOString(), ...(record.resolveReason !== '' ? { resolveReason: record.resolveReason } : {}) }
        : {}),
      ...(record.lastValue !== null ? { value: record.lastValue } : {}),
      impact: (details.impact as AlertImpact | undefined) ?? { instances: 0, valueAtRisk: [], sampleKeys: [] },
      diagnostics: diagnostics.get(record.episodeId) ?? [],
      acknowledged: acknowledged.has(record.episodeId),
      runbookUrl: `${options.links.runbooks}/${rule?.runbook ?? (record.ruleId === SOURCE_LATE ? SOURCE_LATE_RUNBOOK : record.ruleId)}`,
      ...(options.links.dashboards !== undefined ? { dashboardUrl: options.links.dashboards } : {}),
      apiUrl: `${options.links.api}/api/v1/alerts/${record.fingerprint}`,
    }
  }

  /** Evaluates a rule, turning a failure into no samples and the error. */
  async function samplesAt(rule: Rule, atMs: number, shared: SharedInCycle): Promise<{ samples: Sample[]; error?: string }> {
    try {
      const samples = await evaluateRule(
        {
          store: options.store,
          definitions,
          atMs,
          facts: options.facts,
          nowMs: shared.nowMs,
          memo: shared.memo,
          cycleRules: options.rules,
          wasFiring: (labels) => {
            const state = states.get(fingerprint(rule.id, labels))
            return state !== undefined && (state.record.phase === 'firing' || state.record.phase === 'recovering')
          },
        },
        rule,
      )
      return { samples }
    } catch (err) {
      options.logger.warn({ err, rule: rule.id, atMs }, 'rule evaluation failed')
      return { samples: [], error: err instanceof Error ? err.message : String(err) }
    }
  }

  async function runRule(rule: Rule, atMs: number, shared: SharedInCycle, changed: Map<string, StoredAlert>, transitions: TransitionRow[]): Promise<RuleRun> {
    const started = performance.now()
    const { samples, error } = await samplesAt(rule, atMs, shared)
    const settings = { ruleId: rule.id, timers: { forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs }, flap: rule.flap, annotations: rule.annotations }
    const put = (observed: Observed): void => {
      states.set(observed.next.record.fingerprint, observed.next)
      changed.set(observed.next.record.fingerprint, observed.next)
      transitions.push(...observed.transitions)
    }
    const observe = (fp: string, labels: Readonly<Record<string, string>>, obs: Observation, sample: Sample | undefined): void =>
      put(observeAlert(states.get(fp) ?? emptyAlert(fp, rule.id, labels), settings, obs, sample))
    const bySample = new Map(samples.map((sample) => [fingerprint(rule.id, sample.labels), sample]))
    // Late data first: what it changes about past windows comes before this evaluation.
    const alerts = states.ofRule(rule.id)
    const late = { rule, atMs, current: bySample, settings, alerts, store: options.store, samplesAt: (t: number) => samplesAt(rule, t, shared) }
    // A failed look for late data (the store down, a statement cancelled) skips the replay for
    // this evaluation only: it must not end the cycle for every rule after this one.
    const replayed = await reevaluateLateData(late).catch((err: unknown) => {
      options.logger.warn({ err, rule: rule.id, atMs }, 'late-data re-evaluation failed; trying again next evaluation')
      return []
    })
    for (const observed of replayed) put(observed)
    for (const [fp, sample] of bySample) {
      observe(
        fp,
        sample.labels,
        { atMs, result: sample.result, value: sample.value, ...(sample.impactStartMs !== undefined ? { impactStartMs: sample.impactStartMs } : {}) },
        sample,
      )
    }
    // Alerts of this rule the evaluation no longer mentions: its error policy, else OK (or no_data).
    for (const stored of states.ofRule(rule.id)) {
      const fp = stored.record.fingerprint
      if (bySample.has(fp) || !ACTIVE.has(stored.record.phase)) continue
      const result: EvalResult = error !== undefined ? (rule.onError === 'breach' ? 'breach' : 'unknown') : rule.noData === 'ok' ? 'ok' : rule.noData
      observe(fp, stored.record.labels, { atMs, result }, undefined)
    }
    const run: RuleRun = { ruleId: rule.id, atMs, durationMs: performance.now() - started, samples: samples.length, ...(error !== undefined ? { error } : {}) }
    lastRun.set(rule.id, run)
    return run
  }

  /** SourceLate{system} (rules/source-late.ts): fires at once, resolves at once. */
  function observeSourceLate(rulesById: ReadonlyMap<string, Rule>, atMs: number, changed: Map<string, StoredAlert>, transitions: TransitionRow[]): void {
    const late = systemsLateBeyondLimit(states.values(), rulesById, atMs)
    for (const { system, observation } of sourceLateObservations(states.values(), late, atMs)) {
      const labels = sourceLateLabels(system)
      const fp = fingerprint(SOURCE_LATE, labels)
      const settings = { ruleId: SOURCE_LATE, timers: { forMs: 0, keepFiringForMs: 0 }, annotations: SOURCE_LATE_ANNOTATIONS }
      const observed = observeAlert(states.get(fp) ?? emptyAlert(fp, SOURCE_LATE, labels), settings, observation, {
        labels,
        result: observation.result,
        value: null,
        reason: observation.result === 'breach' ? `alerts have waited on ${system}'s late data beyond their source_late_after` : `${system} caught up`,
      })
      states.set(fp, observed.next)
      changed.set(fp, observed.next)
      transitions.push(...observed.transitions)
    }
  }

  async function cycle(atMs: number, all: boolean): Promise<CycleReport> {
    await ensureLoaded()
    const changed = new Map<string, StoredAlert>()
    const transitions: TransitionRow[] = []
    const runs: RuleRun[] = []
    const shared: SharedInCycle = { memo: createCycleMemo(), nowMs: clock() }
    for (const rule of options.rules) {
      // Stopping: the rules not yet evaluated wait for the next start (their timers are stored).
      if (stopped) break
      const previous = lastRun.get(rule.id)
      if (!all && previous !== undefined && atMs - previous.atMs < rule.intervalMs) continue
      runs.push(await runRule(rule, atMs, shared, changed, transitions))
    }
    const rulesById = new Map(options.rules.map((r) => [r.id, r]))
    observeSourceLate(rulesById, atMs, changed, transitions)
    // Holds (flapping, SourceLate inhibition) are settled before saving, so they are stored.
    const retention = options.resolvedRetentionMs ?? 15 * 60_000
    const candidates = [...states.values()].filter(
      ({ record }) =>
        record.phase === 'firing' ||
        record.phase === 'recovering' ||
        (record.phase === 'resolved' && record.episodeId !== '' && atMs - record.resolvedMs <= retention),
    )
    const selection = selectForNotifier(candidates, rulesById, definitions)
    for (const stored of selection.changed) {
      states.set(stored.record.fingerprint, stored)
      changed.set(stored.record.fingerprint, stored)
    }
    // Only records that moved or were evaluated are written: one insert per cycle.
    await saveTransitions(options.store, transitions)
    await saveAlertStates(options.store, [...changed.values()])
    if (options.diagnose !== undefined) {
      for (const { record, transition } of transitions) {
        if (transition.to !== 'firing' && transition.to !== 'resolved') continue
        if (transition.to === 'firing' && transition.from === 'recovering') continue
        const stored = states.get(record.fingerprint)
        if (stored === undefined) continue
        const findings = await options.diagnose(toAlert(stored, rulesById.get(record.ruleId)), transition.to === 'firing' ? 'fired' : 'resolved')
        diagnostics.set(record.episodeId, findings)
      }
    }
    if (options.notify !== undefined) {
      await readAcks(selection.handed.map((s) => s.record.episodeId))
      await options.notify(
        selection.handed.map((s) => toAlert(states.get(s.record.fingerprint) ?? s, rulesById.get(s.record.ruleId))),
        atMs,
      )
    }
    return { atMs, runs, transitions: transitions.length }
  }

  const engine: RulesEngine = {
    async evaluate(atMs = clock(), evaluateOptions = {}) {
      while (running !== undefined) await running.catch(() => undefined)
      if (stopped) return { atMs, runs: [], transitions: 0 }
      running = cycle(atMs, evaluateOptions.all === true)
      try {
        return await running
      } finally {
        running = undefined
      }
    },
    alerts: () => [...states.values()],
    lastRuns: () => lastRun,
    start(tickMs = 5_000) {
      timer = setInterval(() => {
        // A tick while a cycle runs is skipped, not queued: queued ticks would run back to back
        // at stale times after a long cycle (and hold up a stop).
        if (running !== undefined) return
        engine.evaluate().catch((err: unknown) => options.logger.warn({ err }, 'rules cycle failed'))
      }, tickMs)
      timer.unref()
    },
    async stop() {
      stopped = true
      if (timer !== undefined) clearInterval(timer)
      while (running !== undefined) await running.catch(() => undefined)
    },
  }
  return engine
}
