// The ClickHouse HTTP interface on the embedded store, on its own port, so Grafana's ClickHouse
// plugin and @clickhouse/client connect to throughline as to a ClickHouse server: GET /ping,
// GET/POST / with the statement in `query` and/or the body, gzip both ways, ClickHouse's
// response headers and errors.
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from '../../core/logger.ts'
import type { StoreClient } from '../../store/index.ts'
import { authenticate, type HttpUser } from './auth.ts'
import { asClickHouseError, BAD_ARGUMENTS, clickHouseError, exceptionText, httpStatusOf, REQUIRED_PASSWORD, type ClickHouseHttpError } from './errors.ts'
import { contentType } from './formats.ts'
import { parseHttpQuery, type QueryLimits } from './http-request.ts'
import { QuerySlots } from './query-slots.ts'
import { runHttpQuery } from './query-runner.ts'
import { GRAFANA_SYSTEM_TABLES, type StatementPolicy } from './statement-policy.ts'

export interface ClickHouseHttpOptions {
  readonly store: StoreClient
  readonly logger: Logger
  readonly users: readonly HttpUser[]
  readonly limits: QueryLimits
  readonly maxConcurrentQueries: number
  /** Largest request body, compressed or not (the statement; there are no inserts). */
  readonly maxBodyBytes?: number
}

type Codec = (input: Buffer) => Promise<Buffer>

const DECODERS: Readonly<Record<string, Codec>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
  zstd: promisify(zlib.zstdDecompress),
}
const ENCODERS: ReadonlyArray<readonly [string, Codec]> = [
  ['gzip', promisify(zlib.gzip)],
  ['zstd', promisify(zlib.zstdCompress)],
  ['br', promisify(zlib.brotliCompress)],
  ['deflate', promisify(zlib.deflate)],
]

async function requestBody(request: FastifyRequest): Promise<string> {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  const encoding = request.headers['content-encoding']?.trim().toLowerCase()
  if (encoding === undefined || encoding === '' || encoding === 'identity') return raw.toString('utf8')
  const decode = DECODERS[encoding]
  if (decode === undefined)
    throw clickHouseError(BAD_ARGUMENTS, `Unknown HTTP request Content-Encoding: ${encoding} (gzip, deflate, br and zstd are understood)`)
  return (await decode(raw)).toString('utf8')
}

/** The first encoding the client accepts, when it asked for compression (enable_http_compression=1). */
function responseEncoder(acceptEncoding: string | undefined): readonly [string, Codec] | undefined {
  if (acceptEncoding === undefined) return undefined
  const accepted = acceptEncoding.split(',').map((part) => part.trim().split(';')[0]!.toLowerCase())
  return ENCODERS.find(([name]) => accepted.includes(name))
}

async function policyOf(store: StoreClient): Promise<{ policy: StatementPolicy; version: string; timezone: string }> {
  return store.withIsolatedSession(async (client) => {
    const result = await client.query({
      query: 'SELECT version() AS version, timezone() AS timezone, groupArray(name) AS databases FROM system.databases',
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ version: string; timezone: string; databases: string[] }>()
    return {
      version: row?.version ?? 'unknown',
      timezone: row?.timezone ?? 'UTC',
      policy: { database: store.database, systemTables: GRAFANA_SYSTEM_TABLES, databases: new Set(row?.databases ?? []) },
    }
  })
}

export async function buildClickHouseHttpApp(options: ClickHouseHttpOptions): Promise<FastifyInstance> {
  const { store, logger, users, limits } = options
  if (users.length === 0) throw new Error('the ClickHouse HTTP interface needs at least one user')
  const { policy, version, timezone } = await policyOf(store)
  const slots = new QuerySlots(options.maxConcurrentQueries, options.maxConcurrentQueries * 8)
  // Typed as Fastify's logger so the instance keeps Fastify's default type parameters.
  const loggerInstance: FastifyBaseLogger = logger.child({ part: 'clickhouse-http' })
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes ?? 16 * 1024 * 1024,
  })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  function sendError(reply: FastifyReply, error: ClickHouseHttpError): FastifyReply {
    if (error.code === REQUIRED_PASSWORD.code) reply.header('WWW-Authenticate', 'Basic realm="ClickHouse server"')
    return reply
      .code(httpStatusOf(error.code))
      .header('X-ClickHouse-Exception-Code', String(error.code))
      .header('Content-Type', 'text/plain; charset=UTF-8')
      .send(exceptionText(error, version))
  }

  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = new URL(request.url, 'http://localhost')
    const params = url.searchParams
    let release: (() => void) | undefined
    try {
      const user = authenticate({ headers: request.headers, params }, users)
      const query = parseHttpQuery(params, request.headers, request.method === 'POST' ? await requestBody(request) : '', limits)
      reply.header('X-ClickHouse-Query-Id', query.queryId).header('X-ClickHouse-Timezone', timezone)
      release = await slots.acquire()
      const started = process.hrtime.bigint()
      const result = await runHttpQuery(store, policy, query)
      request.log.debug({ user, queryId: query.queryId, format: result.format, bytes: result.body.length }, 'clickhouse-http query')
      const summary = { ...result.summary, elapsed_ns: String(process.hrtime.bigint() - started) }
      reply
        .header('X-ClickHouse-Format', result.format)
        .header('Content-Type', contentType(result.format))
        .header('X-ClickHouse-Summary', JSON.stringify(summary))
      const encoder = query.compressResponse ? responseEncoder(request.headers['accept-encoding']) : undefined
      if (encoder === undefined) return reply.send(result.body)
      return reply.header('Content-Encoding', encoder[0]).send(await encoder[1](result.body))
    } catch (error) {
      const failure = asClickHouseError(error)
      if (httpStatusOf(failure.code) >= 500) request.log.warn({ code: failure.code, err: failure.message }, 'clickhouse-http query failed')
      return sendError(reply, failure)
    } finally {
      release?.()
    }
  }

  app.get('/ping', async (_request, reply) => reply.header('Content-Type', 'text/plain; charset=UTF-8').send('Ok.\n'))
  app.get('/', answer)
  app.post('/', answer)
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, clickHouseError(BAD_ARGUMENTS, `There is no handle ${new URL(request.url, 'http://localhost').pathname}: use / or /ping`)),
  )
  return app
}
