// Alerts through the API: the current ones (and history by state), one alert with its
// episodes' timeline, diagnostics, notifications and operator actions; ack and comment;
// silences (create, list, expire); the rules with their last evaluation; K11 (MTTA, MTTR).
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import {
  alertDetail,
  alertKpis,
  createSilence,
  expireSilence,
  listAlerts,
  listSilences,
  recordAlertAction,
  type AlertFilterState,
  type Rule,
  type RuleRun,
} from '../rules/index.ts'
import type { StoreClient } from '../store/index.ts'
import { alertContext, runAction, runbookForAlert, type Runbook } from '../triage/index.ts'
import { ErrorBodySchema } from './error-body.ts'

export interface AlertRouteDeps {
  readonly store: StoreClient
  readonly rules: readonly Rule[]
  /** The runbooks loaded at start: their action steps run here when an operator asks. */
  readonly runbooks?: readonly Runbook[]
  /** The engine's last run of each rule, when the engine runs in this process. */
  readonly lastRuns?: () => ReadonlyMap<string, RuleRun>
}

const Labels = Type.Record(Type.String(), Type.String())
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()])

const AlertSummarySchema = Type.Object({
  fingerprint: Type.String(),
  ruleId: Type.String(),
  labels: Labels,
  state: Type.String(),
  episodeId: Type.String(),
  impactStart: Nullable(Type.String()),
  firingSince: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  resolveReason: Type.String(),
  lastResult: Type.String(),
  lastValue: Nullable(Type.Number()),
  lastEvaluated: Nullable(Type.String()),
  summary: Type.String(),
  acknowledged: Type.Boolean(),
  flapping: Type.Boolean({ description: 'flap detection: its state changes too often; notifications held until it settles (not the resolve)' }),
  held: Type.String({ description: "why its notifications are held now ('flapping', 'inhibited by SourceLate{system=X}'); '' none" }),
})

const ListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(
        ['active', 'pending', 'firing', 'recovering', 'resolved', 'all'].map((s) => Type.Literal(s)),
        { description: 'default active: pending, firing, recovering' },
      ),
    ),
    rule: Type.Optional(Type.String({ minLength: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)

const FingerprintParams = Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$' }) })
const ActionBody = Type.Object(
  { actor: Type.String({ minLength: 1, maxLength: 200 }), comment: Type.Optional(Type.String({ maxLength: 10_000 })) },
  { additionalProperties: false },
)
const ActionResultSchema = Type.Object({
  runId: Type.String({ description: 'the two alert_actions rows of this run carry it' }),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  output: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  durationMs: Type.Integer(),
})
const MatcherSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }),
    value: Type.String(),
    isRegex: Type.Optional(Type.Boolean()),
    isEqual: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
const SilenceBody = Type.Object(
  {
    matchers: Type.Array(MatcherSchema, { minItems: 1 }),
    startsAt: Type.Optional(Type.String({ format: 'date-time' })),
    endsAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String({ minLength: 1 }),
    comment: Type.String({ minLength: 1, description: 'why: silences without a reason are how incidents get missed' }),
  },
  { additionalProperties: false },
)

function badRequest(message: string): ThroughlineError {
  return new ThroughlineError(ErrorCode.badRequest, message, 400)
}

export async function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): Promise<void> {
  app.get<{ Querystring: { state?: AlertFilterState; rule?: string; limit?: number; offset?: number } }>(
    '/api/v1/alerts',
    {
      schema: {
        querystring: ListQuery,
        tags: ['alerts'],
        summary: 'Alerts by state (default: active), newest evaluation first, paged',
        response: {
          200: Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), alerts: Type.Array(AlertSummarySchema) }),
          400: ErrorBodySchema,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100
      const offset = request.query.offset ?? 0
      const result = await listAlerts(deps.store, {
        ...request.query,
        ...(request.query.rule !== undefined ? { ruleId: request.query.rule } : {}),
        limit,
        offset,
      })
      return { ...result, limit, offset }
    },
  )
  app.get<{ Params: { fingerprint: string } }>(
    '/api/v1/alerts/:fingerprint',
    {
      schema: {
        params: FingerprintParams,
        tags: ['alerts'],
        summary: 'One alert: its state, the timeline of its episodes, diagnostics, notifications and operator actions',
        response: { 200: Type.Object({}, { additionalProperties: true }), 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (request) => {
      const detail = await alertDetail(deps.store, request.params.fingerprint)
      if (detail === undefined) throw new ThroughlineError(ErrorCode.notFound, `fingerprint: no alert ${request.params.fingerprint}`, 404)
      return detail
    },
  )
  for (const action of ['ack', 'unack', 'comment'] as const) {
    app.post<{ Params: { fingerprint: string }; Body: { actor: string; comment?: string } }>(
      `/api/v1/alerts/:fingerprint/${action}`,
      {
        schema: {
          params: FingerprintParams,
          body: ActionBody,
          tags: ['alerts'],
          summary:
            action === 'ack'
              ? 'Acknowledge the current episode: reminders stop; the resolve message and a severity escalation still go out'
              : action === 'unack'
                ? 'Take an acknowledgement back'
                : 'Comment on the current episode',
          response: { 204: Type.Null(), 400: ErrorBodySchema, 404: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        const detail = await alertDetail(deps.store, request.params.fingerprint)
        if (detail === undefined) throw new ThroughlineError(ErrorCode.notFound, `fingerprint: no alert ${request.params.fingerprint}`, 404)
        if (detail.alert.episodeId === '') throw badRequest(`fingerprint: alert ${request.params.fingerprint} has no episode to ${action} (it is inactive)`)
        if (action === 'comment' && (request.body.comment ?? '') === '') throw badRequest('comment: required for a comment')
        await recordAlertAction(deps.store, request.params.fingerprint, detail.alert.episodeId, action, request.body.actor, request.body.comment ?? '')
        return reply.code(204).send()
      },
    )
  }
  app.post<{ Params: { fingerprint: string; step: string }; Body: { actor: string; comment?: string } }>(
    '/api/v1/alerts/:fingerprint/actions/:step',
    {
      schema: {
        params: Type.Object({ fingerprint: FingerprintParams.properties.fingerprint, step: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 100 }) }),
        body: ActionBody,
        tags: ['alerts'],
        summary:
          "Run an action step of the alert's runbook for its current episode: recorded in alert_actions before it runs and with its outcome after; actions never run by themselves",
        response: { 200: ActionResultSchema, 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (request) => {
      const { fingerprint, step } = request.params
      const detail = await alertDetail(deps.store, fingerprint)
      if (detail === undefined) throw new ThroughlineError(ErrorCode.notFound, `fingerprint: no alert ${fingerprint}`, 404)
      const { alert } = detail
      if (alert.episodeId === '') throw badRequest(`fingerprint: alert ${fingerprint} has no episode to act on (it is inactive)`)
      const rule = deps.rules.find((r) => r.id === alert.ruleId)
      const runbook = runbookForAlert(deps.runbooks ?? [], { ruleId: alert.ruleId, labels: alert.labels, runbook: rule?.runbook ?? alert.ruleId })
      if (runbook === undefined) throw new ThroughlineError(ErrorCode.notFound, `fingerprint: no runbook for rule ${alert.ruleId}`, 404)
      const now = Date.now()
      const context = alertContext(
        {
          ...alert,
          impactStart: alert.impactStart ?? new Date(now).toISOString(),
          firedAt: alert.firingSince ?? new Date(now).toISOString(),
          resolvedAt: alert.resolvedAt ?? undefined,
        },
        now,
      )
      return runAction(deps.store, {
        runbook,
        step,
        alert: context,
        actor: request.body.actor,
        ...(request.body.comment !== undefined ? { comment: request.body.comment } : {}),
      })
    },
  )
  app.get<{ Querystring: { expired?: boolean } }>(
    '/api/v1/silences',
    {
      schema: {
        querystring: Type.Object({ expired: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        tags: ['alerts'],
        summary: 'Silences (active ones; ?expired=true for all)',
      },
    },
    async (request) => ({ silences: await listSilences(deps.store, request.query.expired === true) }),
  )
  app.post<{
    Body: {
      matchers: Array<{ name: string; value: string; isRegex?: boolean; isEqual?: boolean }>
      startsAt?: string
      endsAt: string
      createdBy: string
      comment: string
    }
  }>(
    '/api/v1/silences',
    {
      schema: {
        body: SilenceBody,
        tags: ['alerts'],
        summary: 'Create a silence: matching alerts are not sent; their state and history go on',
        response: { 400: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const startsAt = request.body.startsAt ?? new Date().toISOString()
      if (Date.parse(request.body.endsAt) <= Date.parse(startsAt)) throw badRequest('endsAt: must be after startsAt')
      for (const [i, m] of request.body.matchers.entries()) {
        if (m.isRegex === true) {
          try {
            new RegExp(m.value)
          } catch {
            throw badRequest(`matchers[${i}].value: not a regular expression: ${JSON.stringify(m.value)}`)
          }
        }
      }
      const silence = await createSilence(deps.store, {
        matchers: request.body.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true })),
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(request.body.endsAt).toISOString(),
        createdBy: request.body.createdBy,
        comment: request.body.comment,
      })
      return reply.code(201).send(silence)
    },
  )
  app.delete<{ Params: { id: string }; Querystring: { actor?: string } }>(
    '/api/v1/silences/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ actor: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        tags: ['alerts'],
        summary: 'Expire a silence now',
        response: { 204: Type.Null(), 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      if (!(await expireSilence(deps.store, request.params.id, request.query.actor ?? ''))) {
        throw new ThroughlineError(ErrorCode.notFound, `id: no active silence ${request.params.id}`, 404)
      }
      return reply.code(204).send()
    },
  )
  app.get('/api/v1/rules', { schema: { tags: ['alerts'], summary: 'The alert rules with their last evaluation (result count, duration, error)' } }, () => {
    const runs = deps.lastRuns?.() ?? new Map<string, RuleRun>()
    return {
      rules: deps.rules.map((r) => {
        const run = runs.get(r.id)
        return {
          id: r.id,
          group: r.group,
          kind: r.kind,
          severity: r.severity,
          intervalSeconds: r.intervalMs / 1000,
          forSeconds: r.forMs / 1000,
          keepFiringForSeconds: r.keepFiringForMs / 1000,
          labels: r.labels,
          runbook: r.runbook,
          source: `${r.source.file}:${r.source.line}`,
          lastEvaluation:
            run === undefined
              ? null
              : { at: new Date(run.atMs).toISOString(), durationMs: Math.round(run.durationMs * 10) / 10, samples: run.samples, error: run.error ?? null },
        }
      }),
    }
  })
  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/alerts/kpis',
    {
      schema: {
        querystring: Type.Object(
          { from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) },
          { additionalProperties: false },
        ),
        tags: ['alerts'],
        summary: 'K11: episodes, MTTA (ack - fired) and MTTR (resolved - fired) per rule and month of firing',
      },
    },
    async (request) => {
      const to = request.query.to !== undefined ? Date.parse(request.query.to) : Date.now()
      const from = request.query.from !== undefined ? Date.parse(request.query.from) : to - 365 * 86_400_000
      if (!(from < to)) throw badRequest('from: must be before to')
      return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), rules: await alertKpis(deps.store, from, to) }
    },
  )
}
