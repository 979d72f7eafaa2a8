// Test support for the store tests: a config whose embedded chDB lives in this test file's
// own temp directory (chDB binds one data directory per process, and vitest runs each file
// in its own forked process). Not a test file itself.
import { resolveConfig, type Config } from '../../core/config.ts'
import { tempDir } from '../support/temp-dir.ts'

export interface TestDataDir {
  readonly dataDir: string
  remove(): void
}

export function createTestDataDir(): TestDataDir {
  const dir = tempDir('store')
  return { dataDir: dir.path, remove: () => dir.remove() }
}

/** The default config on `dataDir`, with `clickhouse` and `retention` fields overridden. */
export function testConfig(
  dataDir: string,
  overrides: { readonly clickhouse?: Partial<Config['clickhouse']>; readonly retention?: Partial<Config['retention']> } = {},
): Readonly<Config> {
  return resolveConfig({ dataDir, clickhouse: overrides.clickhouse ?? {}, retention: overrides.retention ?? {} })
}
