// `throughline sql "SELECT ..."`: one read-only query for operators and scripts, on the
// embedded data directory (when no `serve` holds it) or the configured server. Read-only
// is enforced by ClickHouse itself (readonly = 2), not by parsing the statement.
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../core/config.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { clickHouseErrorCode, createStoreClient, FORMAT_NAME, namesOwnFormat, runReadOnly } from '../store/index.ts'

/** ClickHouse's READONLY error: the statement would write. */
const READONLY = 164
/** ClickHouse's UNKNOWN_FORMAT error: no format of that name. */
const UNKNOWN_FORMAT = 73
/** ClickHouse's FORMAT_IS_NOT_SUITABLE_FOR_OUTPUT error: an input-only format. */
const FORMAT_IS_NOT_SUITABLE_FOR_OUTPUT = 399

const OUTPUT_FORMATS_HINT =
  'use an output format such as TSVWithNames, JSONEachRow, PrettyCompact or CSV (SELECT name FROM system.formats WHERE is_output lists them all)'

export interface SqlFlags {
  readonly config?: string
  readonly dataDir?: string
  readonly clickhouseUrl?: string
  readonly logLevel?: string
  readonly format?: string
}

/** Bad usage of `sql`: main exits 2 on this code. */
const usageError = (message: string): ThroughlineError => new ThroughlineError(ErrorCode.readOnlyQuery, message, 400)

/** The error to report for a failed query: ClickHouse's codes for bad usage become messages naming the flag. */
function queryError(error: unknown, format: string): unknown {
  switch (clickHouseErrorCode(error)) {
    case READONLY:
      return usageError(`sql runs read-only statements only (SELECT, SHOW, DESCRIBE, EXPLAIN); ClickHouse said: ${(error as Error).message}`)
    case UNKNOWN_FORMAT:
      return usageError(`--format: ClickHouse has no format named ${JSON.stringify(format)}; ${OUTPUT_FORMATS_HINT}`)
    case FORMAT_IS_NOT_SUITABLE_FOR_OUTPUT:
      return usageError(`--format: ClickHouse reads ${JSON.stringify(format)} but cannot write it; ${OUTPUT_FORMATS_HINT}`)
    default:
      return error
  }
}

export async function sqlCommand(config: Readonly<Config>, query: string, flags: SqlFlags): Promise<void> {
  const format = flags.format ?? (process.stdout.isTTY ? 'PrettyCompactMonoBlock' : 'TSVWithNames')
  if (!FORMAT_NAME.test(format)) {
    throw usageError(`--format must be a ClickHouse format name such as TSVWithNames or JSONEachRow, got ${JSON.stringify(format)}`)
  }
  if (namesOwnFormat(query)) throw usageError('give the output format with --format, not in the query')
  if (config.clickhouse.url === undefined) {
    // Opening chDB on a directory creates a store there; a mistyped --data-dir must not.
    const dataDir = path.resolve(config.dataDir)
    if (!existsSync(path.join(dataDir, 'clickhouse'))) {
      throw new ThroughlineError(
        ErrorCode.storeUnavailable,
        `no throughline data in ${dataDir} (run \`throughline serve\` or \`throughline migrate\` there first)`,
        503,
      )
    }
  }
  const store = createStoreClient(config)
  try {
    const output = await runReadOnly(store, query, format).catch((error: unknown) => {
      throw queryError(error, format)
    })
    process.stdout.write(output)
  } finally {
    await store.client.close()
  }
}
