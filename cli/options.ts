// Turns command-line flags into a config layer and resolves the whole config, so every
// command reads its settings the same way: defaults < file < environment < flags.
import { configFilePath, readConfigFile } from '../core/config-file.ts'
import { configFromEnvironment, resolveConfig, type Config } from '../core/config.ts'

export interface CommonFlags {
  readonly config?: string
  readonly dataDir?: string
  readonly clickhouseUrl?: string
  readonly logLevel?: string
}

export interface ServeFlags extends CommonFlags {
  readonly host?: string
  readonly otlpPort?: string
  readonly apiPort?: string
  /** --role, repeatable; each may be a comma list (resolved by the config). */
  readonly role?: readonly string[]
}

function flagLayer(flags: ServeFlags): Record<string, unknown> {
  const layer: Record<string, unknown> = {}
  if (flags.dataDir !== undefined) layer.dataDir = flags.dataDir
  if (flags.host !== undefined) layer.host = flags.host
  if (flags.otlpPort !== undefined) layer.otlpPort = flags.otlpPort
  if (flags.apiPort !== undefined) layer.apiPort = flags.apiPort
  if (flags.role !== undefined) layer.roles = flags.role
  if (flags.logLevel !== undefined) layer.logLevel = flags.logLevel
  if (flags.clickhouseUrl !== undefined) layer.clickhouse = { url: flags.clickhouseUrl }
  return layer
}

export function loadConfig(flags: ServeFlags, env: Readonly<Record<string, string | undefined>> = process.env): Readonly<Config> {
  const file = configFilePath(flags.config, env)
  return resolveConfig(file ? readConfigFile(file) : {}, configFromEnvironment(env), flagLayer(flags))
}
