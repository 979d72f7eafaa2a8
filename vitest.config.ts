import { defineConfig } from 'vitest/config'

// chDB binds one data directory per process, so every test file runs in its own
// forked process with its own data directory (see test/support/temp-data-dir.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    isolate: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
})
