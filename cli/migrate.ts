// `throughline migrate`: applies the versioned migrations and says what it did.
import type { Config } from '../core/config.ts'
import { createStoreClient, migrate } from '../store/index.ts'

export async function migrateCommand(config: Readonly<Config>): Promise<void> {
  const store = createStoreClient(config)
  try {
    const result = await migrate(store, config)
    console.log(
      result.applied.length === 0
        ? `schema is up to date (${result.alreadyApplied.length} migrations applied earlier)`
        : `applied migrations ${result.applied.join(', ')} (${result.alreadyApplied.length} applied earlier)`,
    )
  } finally {
    await store.client.close()
  }
}
