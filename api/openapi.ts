// The OpenAPI document, made by @fastify/swagger from the routes' own schemas (so it cannot
// drift from what is validated), served at /docs with Swagger UI and as /docs/json. A copy
// is checked in as docs/openapi.json; a test fails when it is stale (npm run openapi).
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'throughline API',
        version,
        description: 'Business processes across enterprise systems: KPIs, instances, integrations. Errors: {code, message} (docs/errors.md).',
      },
      tags: [
        { name: 'service', description: 'health and ingest status' },
        { name: 'processes', description: 'process definitions and event-log statistics' },
        { name: 'kpis', description: 'instance KPIs of a defined process: cycle time, stuck, SLA' },
        { name: 'instances', description: 'one instance by any of its business keys, with its timeline' },
        { name: 'integrations', description: 'integration health, sync lag, source freshness' },
        { name: 'alerts', description: 'alerts, their episodes and timelines, acknowledgements, silences, rules, MTTA/MTTR' },
        { name: 'reports', description: 'incident review reports: one alert episode, or the incidents of a period (JSON, Markdown, HTML)' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}

/** The document as checked in: stable key order, two-space indentation, final newline. */
export function openApiText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`
}
