// An embedded store for one test file: a fresh data directory, the migrations applied, and
// one close() that removes it all. chDB binds one data directory per process (vitest runs
// each file in its own).
import { resolveConfig, type Config } from '../../core/config.ts'
import { createStoreClient, migrate, type StoreClient } from '../../store/index.ts'
import { tempDir } from './temp-dir.ts'

export interface MigratedStore {
  readonly store: StoreClient
  readonly config: Readonly<Config>
  readonly dataDir: string
  close(): Promise<void>
}

export async function openMigratedStore(label: string, migrated = true): Promise<MigratedStore> {
  const dir = tempDir(label)
  const config = resolveConfig({ dataDir: dir.path })
  const store = createStoreClient(config)
  if (migrated) await migrate(store, config)
  return {
    store,
    config,
    dataDir: dir.path,
    async close() {
      await store.close()
      dir.remove()
    },
  }
}
