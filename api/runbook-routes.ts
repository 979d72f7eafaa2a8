// Runbooks through the API: the list, and one rendered (safe HTML plus its structure: front
// matter, sections, executable steps), as the link in every alert points to.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { renderRunbook, type Runbook } from '../triage/index.ts'
import { ErrorBodySchema } from './error-body.ts'

export async function runbookRoutes(app: FastifyInstance, deps: { readonly runbooks: readonly Runbook[] }): Promise<void> {
  const byId = new Map(deps.runbooks.map((r) => [r.id, r]))
  app.get('/api/v1/runbooks', { schema: { tags: ['alerts'], summary: 'The runbooks loaded at start' } }, () => ({
    runbooks: deps.runbooks.map((r) => ({ id: r.id, title: r.title, owner: r.owner, lastReviewed: r.lastReviewed, file: r.file })),
  }))
  app.get<{ Params: { id: string }; Querystring: { format?: 'json' | 'html' } }>(
    '/api/v1/runbooks/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$' }) }),
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html')])) }, { additionalProperties: false }),
        tags: ['alerts'],
        summary: 'One runbook, rendered: an HTML page (?format=html, what alert links open) or its structure as JSON',
        response: { 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    (request, reply) => {
      const runbook = byId.get(request.params.id)
      if (runbook === undefined) throw new ThroughlineError(ErrorCode.notFound, `id: no runbook ${request.params.id}`, 404)
      const rendered = renderRunbook(runbook)
      if (request.query.format === 'html') {
        return reply.type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>${runbook.id}</title>${rendered.html}`)
      }
      return rendered
    },
  )
}
