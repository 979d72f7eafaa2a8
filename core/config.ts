// The service configuration: one TypeBox schema, parsed once at start from defaults, an
// optional config file, THROUGHLINE_* environment variables and command-line flags (in
// rising precedence) into a frozen, typed object. Nothing else reads process.env.
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { ConfigError } from './errors.ts'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const PositiveInt = Type.Integer({ minimum: 1 })

/** The parts `serve` can run; `all` is every one of them (docs/deployment.md). */
export const SERVICE_ROLES = ['collector', 'deriver', 'rules', 'api'] as const
export type ServiceRole = (typeof SERVICE_ROLES)[number]

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, description: 'embedded ClickHouse data and the spool live here' }),
    processesDir: Type.String({ minLength: 1, description: 'process definitions (*.yaml) loaded at start' }),
    rulesDir: Type.String({ minLength: 1, description: 'alert rules (*.yaml) loaded at start' }),
    notifyConfig: Type.String({ minLength: 1, description: 'notification routes and receivers (YAML); absent: nothing is sent' }),
    publicUrl: Type.String({ pattern: '^https?://', description: 'the API as people reach it, for links in alerts' }),
    host: Type.String({ minLength: 1, description: 'address the collector and API listen on' }),
    otlpPort: Port,
    apiPort: Port,
    clickhouseHttpPort: Port,
    clickhouseHttp: Type.Object(
      {
        enabled: Type.Boolean({ description: 'serve the read-only ClickHouse HTTP interface (embedded mode only)' }),
        user: Type.String({ minLength: 1 }),
        password: Type.String({ description: 'empty: a random one is generated and logged at start' }),
        maxExecutionTimeSeconds: PositiveInt,
        maxMemoryUsageBytes: PositiveInt,
        maxConcurrentQueries: Type.Integer({ minimum: 1, maximum: 64 }),
      },
      { additionalProperties: false },
    ),
    roles: Type.Array(Type.Enum(['all', ...SERVICE_ROLES]), {
      minItems: 1,
      description: 'the parts this serve process runs: all, or any of collector, deriver, rules, api',
    }),
    logLevel: Type.Union([
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ]),
    clickhouse: Type.Object(
      {
        url: Type.Optional(Type.String({ minLength: 1, description: 'a ClickHouse server; unset means embedded chDB in dataDir' })),
        user: Type.String(),
        password: Type.String(),
        database: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        caCertPath: Type.Optional(Type.String()),
        clientCertPath: Type.Optional(Type.String()),
        clientKeyPath: Type.Optional(Type.String()),
        cluster: Type.Optional(
          Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', description: 'render DDL ON CLUSTER with Replicated engines behind Distributed tables' }),
        ),
        requestTimeoutMs: PositiveInt,
      },
      { additionalProperties: false },
    ),
    retention: Type.Object(
      {
        tracesDays: Type.Integer({ minimum: 0, description: '0 keeps rows forever' }),
        logsDays: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    collector: Type.Object(
      {
        maxBodyBytes: PositiveInt,
        maxAttributesPerRecord: PositiveInt,
        maxAttributeValueBytes: PositiveInt,
        maxFutureSkewSeconds: PositiveInt,
      },
      { additionalProperties: false },
    ),
    spool: Type.Object(
      {
        maxBytes: PositiveInt,
        segmentMaxBytes: PositiveInt,
        segmentMaxAgeMs: PositiveInt,
      },
      { additionalProperties: false },
    ),
    writer: Type.Object(
      {
        concurrency: Type.Integer({ minimum: 1, maximum: 16, description: 'segments inserted at once per table' }),
        drainOnStopMs: Type.Integer({ minimum: 0, description: 'how long a stopping serve keeps writing the spool into ClickHouse' }),
        retryInitialMs: Type.Integer({ minimum: 1, maximum: 600_000 }),
        retryMaxMs: Type.Integer({ minimum: 1, maximum: 600_000, description: 'at most 10 minutes between attempts' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export type Config = Type.Static<typeof ConfigSchema>

/** A partial config as given by a file, the environment or flags. */
export type ConfigInput = { [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K] }

export const defaultConfig: Config = {
  dataDir: './data',
  processesDir: 'processes.d',
  rulesDir: 'alert-rules',
  notifyConfig: 'notify.yaml',
  publicUrl: 'http://localhost:8080',
  host: '127.0.0.1',
  otlpPort: 4318,
  apiPort: 8080,
  clickhouseHttpPort: 8123,
  clickhouseHttp: { enabled: true, user: 'grafana', password: '', maxExecutionTimeSeconds: 30, maxMemoryUsageBytes: 2 * 1024 ** 3, maxConcurrentQueries: 4 },
  roles: ['all'],
  logLevel: 'info',
  clickhouse: { user: 'default', password: '', database: 'default', requestTimeoutMs: 30_000 },
  retention: { tracesDays: 30, logsDays: 30 },
  collector: {
    maxBodyBytes: 16 * 1024 * 1024,
    maxAttributesPerRecord: 128,
    maxAttributeValueBytes: 8 * 1024,
    maxFutureSkewSeconds: 24 * 3600,
  },
  spool: { maxBytes: 1024 * 1024 * 1024, segmentMaxBytes: 16 * 1024 * 1024, segmentMaxAgeMs: 500 },
  writer: { concurrency: 2, drainOnStopMs: 10_000, retryInitialMs: 200, retryMaxMs: 30_000 },
}

/** THROUGHLINE_* variable -> config path. One table, so docs and code cannot drift. */
export const environmentVariables: Readonly<Record<string, string>> = {
  THROUGHLINE_DATA_DIR: 'dataDir',
  THROUGHLINE_PROCESSES_DIR: 'processesDir',
  THROUGHLINE_RULES_DIR: 'rulesDir',
  THROUGHLINE_NOTIFY_CONFIG: 'notifyConfig',
  THROUGHLINE_PUBLIC_URL: 'publicUrl',
  THROUGHLINE_HOST: 'host',
  THROUGHLINE_OTLP_PORT: 'otlpPort',
  THROUGHLINE_API_PORT: 'apiPort',
  THROUGHLINE_ROLES: 'roles',
  THROUGHLINE_LOG_LEVEL: 'logLevel',
  THROUGHLINE_CLICKHOUSE_HTTP_PORT: 'clickhouseHttpPort',
  THROUGHLINE_CLICKHOUSE_HTTP_USER: 'clickhouseHttp.user',
  THROUGHLINE_CLICKHOUSE_HTTP_PASSWORD: 'clickhouseHttp.password',
  CLICKHOUSE_URL: 'clickhouse.url',
  THROUGHLINE_CLICKHOUSE_URL: 'clickhouse.url',
  THROUGHLINE_CLICKHOUSE_USER: 'clickhouse.user',
  THROUGHLINE_CLICKHOUSE_PASSWORD: 'clickhouse.password',
  THROUGHLINE_CLICKHOUSE_DATABASE: 'clickhouse.database',
  THROUGHLINE_CLICKHOUSE_CLUSTER: 'clickhouse.cluster',
  THROUGHLINE_CLICKHOUSE_CA_CERT: 'clickhouse.caCertPath',
  THROUGHLINE_RETENTION_TRACES_DAYS: 'retention.tracesDays',
  THROUGHLINE_RETENTION_LOGS_DAYS: 'retention.logsDays',
  THROUGHLINE_SPOOL_MAX_BYTES: 'spool.maxBytes',
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>
    else node = node[part] = {}
  }
  node[parts.at(-1) as string] = value
}

export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, path] of Object.entries(environmentVariables)) {
    const value = env[name]
    if (value !== undefined && value !== '') setPath(out, path, value)
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value
  }
  return out
}

function deepFreeze<T>(value: T): T {
  if (isPlainObject(value)) for (const v of Object.values(value)) deepFreeze(v)
  return Object.freeze(value)
}

const validator = Compile(ConfigSchema)

/** A list given as one comma-separated string (environment, a flag) or a list of them, as a list. */
function commaList(value: unknown): unknown {
  if (typeof value !== 'string' && !Array.isArray(value)) return value
  return [value].flat().flatMap((item: unknown) =>
    typeof item === 'string'
      ? item
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : [item],
  )
}

/**
 * Layers (lowest first) are merged, string values from the environment converted to the
 * schema's types, and the result validated. The error names every bad field and its source.
 */
export function resolveConfig(...layers: ReadonlyArray<Record<string, unknown>>): Readonly<Config> {
  let merged: Record<string, unknown> = structuredClone(defaultConfig)
  for (const layer of layers) merged = merge(merged, layer)
  merged.roles = commaList(merged.roles)
  const converted = validator.Convert(merged)
  if (!validator.Check(converted)) {
    const problems = validator
      .Errors(converted)
      .filter((e) => (e.keyword !== 'boolean' && e.keyword !== 'anyOf') || e.instancePath === '')
      .map((e) => {
        const path = e.instancePath.slice(1).replaceAll('/', '.') || '(root)'
        // An item of a list setting (roles.1) is set by the same variable as the list.
        const setting = path.replace(/\.\d+$/, '')
        const variables = Object.entries(environmentVariables)
          .filter(([, p]) => p === setting)
          .map(([name]) => name)
        const source = variables.length > 0 ? ` (config file key ${setting}, or ${variables.join(' / ')})` : ''
        const extra = e.keyword === 'additionalProperties' || e.keyword === 'enum' ? ` ${JSON.stringify(e.params)}` : ''
        return `${path}: ${e.message}${extra}${source}`
      })
    throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`)
  }
  if (converted.writer.retryMaxMs < converted.writer.retryInitialMs) {
    throw new ConfigError('invalid configuration: writer.retryMaxMs must be >= writer.retryInitialMs')
  }
  return deepFreeze(converted)
}
