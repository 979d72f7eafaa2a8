// Test data from ../shared/data (read-only, beside the repository in every checkout and in CI).
import { fileURLToPath } from 'node:url'

const sharedData = fileURLToPath(new URL('../../../shared/data/', import.meta.url))

/** Absolute path of a file under shared/data, e.g. sharedDataPath('otlp/spec-example-trace.json'). */
export function sharedDataPath(relative: string): string {
  return sharedData + relative
}
