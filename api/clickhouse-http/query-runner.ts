// Runs one request's statement on its own chDB session: settings and limits first, then
// readonly = 1 (so nothing after can change them), a parse that proves it is one statement,
// the policy check on its AST, and the statement itself in the requested format. A session
// per request: chDB keeps SET per session, and a timed-out statement's leftovers die with it.
import { buffer } from 'node:stream/consumers'
import type { ClickHouseClient } from '@clickhouse/client'
import type { StoreClient } from '../../store/index.ts'
import { ACCESS_DENIED, asClickHouseError, clickHouseError, READONLY, TIMEOUT_EXCEEDED } from './errors.ts'
import { ownFormat, withoutFormat } from './formats.ts'
import type { HttpQuery } from './http-request.ts'
import { nativeForRevision } from './native-blocks.ts'
import { engineParams } from './query-params.ts'
import { checkStatement, parseAst, type StatementPolicy } from './statement-policy.ts'

export interface QueryAnswer {
  readonly body: Buffer
  readonly format: string
  /** X-ClickHouse-Summary: counters as strings, as the server sends them. */
  readonly summary: Readonly<Record<string, string>>
}

/**
 * default_format as chDB's connection takes it (its output format, not a SET). Typed as a
 * plain record: the client's own type lists only the formats it parses, and Native is not one.
 */
function formatSetting(format: string): Record<string, string> {
  return { default_format: format }
}

async function text(client: ClickHouseClient, query: string, params: Record<string, string | null>, settings: Record<string, string>): Promise<string> {
  const result = await client.exec({ query, query_params: params, clickhouse_settings: { ...settings, ...formatSetting('TSVRaw') } })
  return (await buffer(result.stream)).toString('utf8').trimEnd()
}

/** The statement's single-statement normalised text: formatQuery refuses `a; b` with SYNTAX_ERROR. */
async function normalised(client: ClickHouseClient, sql: string, settings: Record<string, string>): Promise<string> {
  // The settings go with this first statement; readonly = 1 comes last so it cannot be undone.
  return text(client, 'SELECT formatQuerySingleLine({statement:String})', { statement: sql }, { ...settings, readonly: '1' })
}

export async function runHttpQuery(store: StoreClient, policy: StatementPolicy, query: HttpQuery): Promise<QueryAnswer> {
  if (query.database !== undefined && query.database !== policy.database) {
    throw clickHouseError(ACCESS_DENIED, `only the database ${policy.database} is readable on this interface, not ${query.database}`)
  }
  const seconds = Number(query.settings['max_execution_time'])
  try {
    return await store.withIsolatedSession(async (client) => {
      const statement = await normalised(client, query.sql, { ...query.settings })
      // An INSERT's FORMAT names its data, not its output: refused before it is read as one.
      if (/^INSERT\b/.test(statement)) throw clickHouseError(READONLY, 'Cannot execute query in readonly mode: INSERT writes')
      const format = ownFormat(statement) ?? query.defaultFormat
      const params = engineParams(query.sql, query.params)
      checkStatement(parseAst(await text(client, `EXPLAIN AST ${withoutFormat(statement)}`, params, {})), policy)
      const result = await client.exec({
        query: query.sql.trim().replace(/;+\s*$/, ''),
        query_params: params,
        query_id: query.queryId,
        clickhouse_settings: formatSetting(format),
        // The engine stops at max_execution_time; this only answers a client whose statement
        // is stuck where the engine does not look at the clock.
        abort_signal: AbortSignal.timeout((seconds + 5) * 1000),
      })
      const body = await buffer(result.stream)
      const summary = result.summary ?? {}
      return {
        body: format === 'Native' && query.clientProtocolVersion > 0 ? nativeForRevision(body, query.clientProtocolVersion) : body,
        format,
        summary: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v)])),
      }
    })
  } catch (error) {
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      throw clickHouseError(TIMEOUT_EXCEEDED, `Timeout exceeded: the statement ran past max_execution_time (${seconds} s)`)
    }
    throw asClickHouseError(error)
  }
}
