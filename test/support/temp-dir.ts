// Each test file gets its own directories under the OS temp dir (chDB binds one data
// directory per process, and vitest runs each file in its own process).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `throughline-${label}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
