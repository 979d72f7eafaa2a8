// One operator-written statement, read-only, in any ClickHouse output format (`throughline
// sql`). Read-only is enforced by ClickHouse (readonly = 2), not by parsing the statement.
import { text } from 'node:stream/consumers'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { StoreClient } from './client.ts'

/**
 * A ClickHouse format name as system.formats spells them (TSVWithNames, JSONEachRow): letters
 * and digits only, so a name appended to a statement cannot carry more SQL.
 */
export const FORMAT_NAME = /^[A-Za-z][A-Za-z0-9]*$/

/**
 * A FORMAT clause at the end of a statement, optionally followed by a SETTINGS clause and
 * semicolons. `ORDER BY format DESC` (a column named format) is not one.
 */
const OWN_FORMAT_CLAUSE = /\bFORMAT\s+(?!(?:ASC|DESC|ASCENDING|DESCENDING)\b)[A-Za-z][A-Za-z0-9]*(?:\s+SETTINGS\b[^;]*)?[\s;]*$/i

/** Whether the statement ends in its own FORMAT clause, which runReadOnly cannot run (it appends one). */
export function namesOwnFormat(sql: string): boolean {
  return OWN_FORMAT_CLAUSE.test(sql)
}

/**
 * Runs one operator-written statement with readonly = 2 (reads and settings only) and returns
 * its output in `format` (so the statement must not name its own FORMAT). It runs in an isolated
 * session: on chDB a SET readonly would otherwise stick to the store's session and refuse
 * every later insert.
 */
export async function runReadOnly(store: StoreClient, sql: string, format: string): Promise<string> {
  if (!FORMAT_NAME.test(format)) throw new ThroughlineError(ErrorCode.readOnlyQuery, `not a ClickHouse format name: ${JSON.stringify(format)}`, 400)
  if (namesOwnFormat(sql))
    throw new ThroughlineError(ErrorCode.readOnlyQuery, 'the statement ends in its own FORMAT clause; the format is a separate argument', 400)
  const statement = sql.trim().replace(/;+\s*$/, '')
  return store.withIsolatedSession(async (client) => {
    const result = await client.exec({
      // A newline first, so a trailing `-- comment` in the statement does not swallow it.
      query: `${statement}\nFORMAT ${format}`,
      clickhouse_settings: { readonly: '2', log_comment: 'throughline:sql.read-only', output_format_json_quote_64bit_integers: 1 },
    })
    return text(result.stream)
  })
}
