// The loaded process definitions: a list, and one definition as its validated model (the
// YAML with every default filled in and durations in milliseconds, docs/process-definitions.md).
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { ProcessDefinition } from '../processes/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { ProcessParamsSchema } from './process-log-routes.ts'

const ProcessListSchema = Type.Object({
  processes: Type.Array(
    Type.Object({
      name: Type.String(),
      version: Type.String(),
      description: Type.Union([Type.String(), Type.Null()]),
      rootKey: Type.String(),
      milestones: Type.Array(Type.String()),
    }),
  ),
})

const DefinitionSchema = Type.Object({}, { additionalProperties: true, description: 'the definition model: the YAML with defaults filled in, durations in ms' })

export async function definitionRoutes(app: FastifyInstance, deps: { readonly definitions: readonly ProcessDefinition[] }): Promise<void> {
  const byName = new Map(deps.definitions.map((d) => [String(d.name), d]))
  app.get(
    '/api/v1/processes',
    { schema: { tags: ['processes'], summary: 'The process definitions loaded from processesDir', response: { 200: ProcessListSchema } } },
    () => ({
      processes: deps.definitions.map((d) => ({
        name: String(d.name),
        version: String(d.version),
        description: d.description ?? null,
        rootKey: String(d.rootKey),
        milestones: d.milestones.map((m) => String(m.name)),
      })),
    }),
  )
  app.get<{ Params: { process: string } }>(
    '/api/v1/processes/:process',
    {
      schema: {
        params: ProcessParamsSchema,
        tags: ['processes'],
        summary: 'One process definition',
        response: { 200: DefinitionSchema, 404: ErrorBodySchema },
      },
    },
    (request) => {
      const definition = byName.get(request.params.process)
      if (definition === undefined)
        throw new ThroughlineError(ErrorCode.notFound, `process: no definition named ${JSON.stringify(request.params.process)} in processesDir`, 404)
      return definition
    },
  )
}

/** The instance key of a process: its definition's root key, else `case_id` (imported logs). */
export function rootKeyResolver(definitions: readonly ProcessDefinition[]): (process: string) => string {
  const roots = new Map(definitions.map((d) => [String(d.name), String(d.rootKey)]))
  return (process) => roots.get(process) ?? 'case_id'
}
