// `throughline sql "SELECT ..."`: one read-only query for operators and scripts, on the
// embedded data directory (when no `serve` holds it) or the configured server. Read-only
// is enforced by ClickHouse itself (readonly = 2), not by parsing the statement.
import type { Config } from '../core/config.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import { clickHouseErrorCode, createStoreClient, runReadOnly } from '../store/index.ts'

/** ClickHouse's READONLY error: the statement would write. */
const READONLY = 164

export interface SqlFlags {
  readonly config?: string
  readonly dataDir?: string
  readonly clickhouseUrl?: string
  readonly logLevel?: string
  readonly format?: string
}

const FORMAT_NAME = /^[A-Za-z][A-Za-z0-9]*$/

export async function sqlCommand(config: Readonly<Config>, query: string, flags: SqlFlags): Promise<void> {
  const format = flags.format ?? (process.stdout.isTTY ? 'PrettyCompactMonoBlock' : 'TSVWithNames')
  if (!FORMAT_NAME.test(format)) {
    throw new ThroughlineError(ErrorCode.readOnlyQuery, `--format must be a ClickHouse format name such as TSVWithNames or JSONEachRow, got ${JSON.stringify(format)}`, 400)
  }
  const store = createStoreClient(config)
  try {
    const output = await runReadOnly(store, query, format).catch((error: unknown) => {
      if (clickHouseErrorCode(error) !== READONLY) throw error
      throw new ThroughlineError(ErrorCode.readOnlyQuery, `sql runs read-only statements only (SELECT, SHOW, DESCRIBE, EXPLAIN); ClickHouse said: ${(error as Error).message}`, 400)
    })
    process.stdout.write(output)
  } finally {
    await store.client.close()
  }
}
