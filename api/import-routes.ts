// POST /api/v1/processes/:process/imports: the same import as `throughline import`, for a
// log uploaded as the request body (any content type; the format is told by content). The
// body is streamed to a temporary file (never held in memory), imported, and removed.
import { KEY_TYPE_PATTERN } from '../core/semconv.ts'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { EVENT_LOG_FORMATS, importEventLog, type EventLogFormat, type ProcessDefinition } from '../processes/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { ErrorBodySchema } from './error-body.ts'
import { ProcessParamsSchema } from './process-log-routes.ts'

export interface ImportRouteDeps {
  readonly store: StoreConnection
  /** Where uploads are staged while they are imported. */
  readonly stagingDir: string
  readonly maxBytes: number
  /** The process definitions: an import into a defined process is correlated into its instances. */
  readonly definitions?: readonly ProcessDefinition[]
}

const ImportQuerySchema = Type.Object(
  {
    format: Type.Optional(Type.Union(EVENT_LOG_FORMATS.map((f) => Type.Literal(f)))),
    case_key: Type.Optional(Type.String({ pattern: KEY_TYPE_PATTERN.source })),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    process_version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)

interface ImportQuery {
  readonly format?: EventLogFormat
  readonly case_key?: string
  readonly time_zone?: string
  readonly process_version?: string
}

const ImportAnswerSchema = Type.Object({
  process: Type.String(),
  events: Type.Integer(),
  batches: Type.Integer(),
  seconds: Type.Number(),
})

/** Counts bytes on their way to disk and stops the upload past the limit (413). */
function byteLimit(maxBytes: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > maxBytes) done(new ThroughlineError(ErrorCode.payloadTooLarge, `the upload is over the limit of ${maxBytes} bytes`, 413))
      else done(null, chunk)
    },
  })
}

export async function importRoutes(app: FastifyInstance, deps: ImportRouteDeps): Promise<void> {
  // Uploads stay streams, whatever their declared type (an OCEL log may come as
  // application/json): within this plugin every parser is replaced by one that hands the
  // raw request on, unread.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
  app.post<{ Params: { process: string }; Querystring: ImportQuery; Body: NodeJS.ReadableStream }>(
    '/api/v1/processes/:process/imports',
    {
      schema: {
        params: ProcessParamsSchema,
        querystring: ImportQuerySchema,
        tags: ['processes'],
        summary: 'Import a historical event log (XES, CSV, OCEL 2.0) sent as the body; idempotent',
        response: { 200: ImportAnswerSchema, 400: ErrorBodySchema, 413: ErrorBodySchema, 415: ErrorBodySchema },
      },
    },
    async (request) => {
      await mkdir(deps.stagingDir, { recursive: true })
      const path = join(deps.stagingDir, `upload-${randomBytes(8).toString('hex')}`)
      try {
        await pipeline(request.body, byteLimit(deps.maxBytes), createWriteStream(path))
        const { query } = request
        const definition = deps.definitions?.find((d) => d.name === request.params.process)
        const summary = await importEventLog(deps.store, path, {
          process: request.params.process,
          ...(definition !== undefined ? { definition } : {}),
          ...(query.process_version !== undefined ? { processVersion: query.process_version } : {}),
          read: {
            ...(query.format !== undefined ? { format: query.format } : {}),
            ...(query.case_key !== undefined ? { caseKeyType: query.case_key } : {}),
            ...(query.time_zone !== undefined ? { timeZone: query.time_zone } : {}),
          },
        })
        return { process: request.params.process, events: summary.events, batches: summary.batches, seconds: summary.seconds }
      } finally {
        await rm(path, { force: true })
      }
    },
  )
}
