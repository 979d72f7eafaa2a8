// Reads an optional YAML or JSON config file into a config layer. Which file: --config,
// else THROUGHLINE_CONFIG, else ./throughline.yaml when it exists.
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ConfigError } from './errors.ts'

export function configFilePath(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (flag) return flag
  if (env.THROUGHLINE_CONFIG) return env.THROUGHLINE_CONFIG
  return existsSync('throughline.yaml') ? 'throughline.yaml' : undefined
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = parse(text, { prettyErrors: true })
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML/JSON: ${(error as Error).message}`)
  }
  if (parsed === null || parsed === undefined) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path} must hold a mapping of settings`)
  return parsed as Record<string, unknown>
}
