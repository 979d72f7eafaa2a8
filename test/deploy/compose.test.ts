// docker-compose.yml cannot run here (no Docker), so it is checked by reading: every file it
// mounts exists, every throughline setting and flag it uses is one the config schema and the
// CLI know, ports do not clash, depends_on names real services with a healthcheck where it
// waits for health, the singleton roles run exactly once, and the files it wires in (the
// notification config, the Grafana datasource, the ClickHouse users, the Dockerfile) agree.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import type { Command } from 'commander'
import { configFromEnvironment, defaultConfig, environmentVariables, resolveConfig, SERVICE_ROLES } from '../../core/config.ts'
import { buildProgram } from '../../cli/main.ts'
import { demoOptionsFromFlags, type DemoFlags } from '../../cli/demo.ts'
import { rolesOf } from '../../cli/serve-roles.ts'
import { parseNotifyConfig } from '../../notify/index.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')

interface Service {
  readonly image?: string
  readonly build?: string
  readonly command?: readonly string[]
  readonly environment?: Readonly<Record<string, string>>
  readonly volumes?: readonly string[]
  readonly ports?: readonly string[]
  readonly healthcheck?: { readonly test: readonly string[] }
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>
}
interface Compose {
  readonly services: Readonly<Record<string, Service>>
  readonly volumes?: Readonly<Record<string, unknown>>
}

// `merge: true`: the throughline services share their settings through a `<<:` merge key.
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose
const services = Object.entries(compose.services)
const throughline = services.filter(([, s]) => s.image === 'throughline:local')

/** The `serve`/`migrate`/`demo` subcommand a service runs, and its arguments. */
function commandOf(service: Service): { name: string; args: readonly string[] } {
  const [name, ...args] = service.command ?? ['serve']
  return { name: name ?? 'serve', args }
}

/** --flag value pairs (every flag these services use takes a value). */
function flagPairs(args: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < args.length; i += 2) {
    expect(args[i], `argument ${i} of ${args.join(' ')}`).toMatch(/^--[a-z-]+$/)
    pairs.push([args[i]!, args[i + 1] ?? ''])
  }
  return pairs
}

const camel = (flag: string): string => flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())

function subcommand(name: string): Command {
  const found = buildProgram().commands.find((c) => c.name() === name)
  if (found === undefined) throw new Error(`no subcommand ${name}`)
  return found
}

/** The repository path a service mounts at a container path. */
function hostPathMountedAt(service: string, containerPath: string): string {
  const mount = (compose.services[service]?.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === containerPath)
  if (mount === undefined) throw new Error(`${service} mounts nothing at ${containerPath}`)
  return mount[0]!
}

function rolesOfService(service: Service): ReadonlySet<string> {
  const { name, args } = commandOf(service)
  if (name !== 'serve') return new Set()
  const flags = flagPairs(args)
    .filter(([flag]) => flag === '--role')
    .map(([, value]) => value)
  return rolesOf(resolveConfig({ roles: flags.length > 0 ? flags : ['all'] }))
}

describe('docker-compose.yml', () => {
  it('has the services issue 5 asks for', () => {
    // ClickHouse server, Grafana, collector/API/rules as separate services, SMTP catcher,
    // Alertmanager, the demo, and the one-shot migration.
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'api', 'clickhouse', 'collector', 'demo', 'grafana', 'mailpit', 'migrate', 'rules'])
    expect(compose.services.grafana?.environment?.GF_INSTALL_PLUGINS).toContain('grafana-clickhouse-datasource')
    expect(compose.services.clickhouse?.image).toMatch(/^clickhouse\/clickhouse-server:\d/)
    expect(compose.services.alertmanager?.image).toMatch(/^prom\/alertmanager:v\d/)
    expect(compose.services.mailpit?.image).toMatch(/^axllent\/mailpit:v\d/)
  })

  it('pins every image to a version', () => {
    for (const [name, service] of services) {
      expect(service.image, name).toMatch(/:[^:]+$/)
      expect(service.image, name).not.toMatch(/:latest$/)
    }
  })

  it('mounts only files and folders that exist in the repository', () => {
    const binds = services.flatMap(([name, s]) => (s.volumes ?? []).map((v) => [name, v.split(':')[0]!] as const))
    const repoPaths = binds.filter(([, source]) => source.startsWith('./'))
    expect(repoPaths.length).toBeGreaterThanOrEqual(5)
    for (const [name, source] of repoPaths) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true)
    // The rest are named volumes, each declared.
    for (const [name, source] of binds.filter(([, s]) => !s.startsWith('./'))) {
      expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${source}`).toContain(source)
    }
  })

  it('publishes no host port twice, and the throughline ports are the configured ones', () => {
    const published = services.flatMap(([, s]) => (s.ports ?? []).map((p) => p.split(':')[0]))
    expect(new Set(published).size).toBe(published.length)
    // The services listen on the defaults (core/config.ts), published unchanged.
    expect(compose.services.collector?.ports).toEqual([`${defaultConfig.otlpPort}:${defaultConfig.otlpPort}`])
    expect(compose.services.api?.ports).toEqual([`${defaultConfig.apiPort}:${defaultConfig.apiPort}`])
  })

  it('depends only on services that exist, with a healthcheck where it waits for health', () => {
    const conditions = new Set(['service_started', 'service_healthy', 'service_completed_successfully'])
    for (const [name, service] of services) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(compose.services), `${name} -> ${target}`).toContain(target)
        expect(conditions.has(condition), `${name} -> ${target}: ${condition}`).toBe(true)
        if (condition === 'service_healthy') expect(compose.services[target]?.healthcheck, `${target} needs a healthcheck`).toBeDefined()
        if (condition === 'service_completed_successfully') expect(compose.services[target]?.command?.[0], target).toBe('migrate')
      }
    }
    // Every throughline service but the migration itself waits for it, directly or through the collector.
    for (const [name, service] of throughline.filter(([n]) => n !== 'migrate' && n !== 'demo')) {
      expect(service.depends_on?.migrate?.condition, name).toBe('service_completed_successfully')
    }
    expect(compose.services.demo?.depends_on?.collector?.condition).toBe('service_healthy')
  })

  it('uses only environment variables the config schema knows, and they resolve to a valid config', () => {
    expect(throughline.map(([n]) => n).sort()).toEqual(['api', 'collector', 'demo', 'migrate', 'rules'])
    for (const [name, service] of throughline) {
      const env = service.environment ?? {}
      for (const variable of Object.keys(env)) expect(Object.keys(environmentVariables), `${name}: ${variable}`).toContain(variable)
      const config = resolveConfig(configFromEnvironment(env))
      expect(config.clickhouse.url, name).toBe('http://clickhouse:8123')
      expect(config.host, name).toBe('0.0.0.0')
      expect(existsSync(join(ROOT, config.notifyConfig)), `${name}: ${config.notifyConfig}`).toBe(true)
    }
  })

  it('runs throughline subcommands with flags the CLI defines and values it accepts', () => {
    for (const [name, service] of throughline) {
      const { name: sub, args } = commandOf(service)
      const command = subcommand(sub)
      const known = new Map(command.options.map((o) => [o.long, o]))
      for (const [flag, value] of flagPairs(args)) {
        const option = known.get(flag)
        expect(option, `${name}: ${sub} ${flag}`).toBeDefined()
        if (option?.argChoices !== undefined) expect(option.argChoices, `${name}: ${flag} ${value}`).toContain(value)
      }
      if (sub === 'demo') {
        // The demo's own validation (cli/demo.ts), as the command would run it.
        const flags = Object.fromEntries(flagPairs(args).map(([flag, value]) => [camel(flag), value])) as DemoFlags
        expect(demoOptionsFromFlags(flags).scenario).toBe('lead-to-cash')
        expect(new URL(flags.otlpUrl ?? '').hostname).toBe('collector')
      }
    }
  })

  it('runs every role, the collector and API apart, and the deriver and rules engine exactly once', () => {
    const byService = Object.fromEntries(throughline.map(([name, s]) => [name, [...rolesOfService(s)]]))
    expect(byService).toEqual({ migrate: [], collector: ['collector'], api: ['api'], rules: ['deriver', 'rules'], demo: [] })
    for (const role of SERVICE_ROLES) {
      const running = Object.entries(byService).filter(([, roles]) => roles.includes(role))
      expect(running.length, role).toBe(1)
    }
  })
})

describe('the files docker-compose.yml wires in', () => {
  it('deploy/notify.yaml is a valid notification config sending to Mailpit and Alertmanager', () => {
    const notify = parseNotifyConfig(parse(read('deploy/notify.yaml')), 'deploy/notify.yaml')
    expect(notify).toBeDefined()
    const raw = parse(read('deploy/notify.yaml')) as {
      receivers: Array<{ email_configs?: Array<{ smarthost: string }>; alertmanager_configs?: Array<{ url: string }> }>
    }
    const smarthosts = raw.receivers.flatMap((r) => r.email_configs ?? []).map((e) => e.smarthost)
    const alertmanagers = raw.receivers.flatMap((r) => r.alertmanager_configs ?? []).map((a) => a.url)
    expect(smarthosts).toEqual(['mailpit:1025'])
    expect(alertmanagers).toEqual(['http://alertmanager:9093'])
  })

  it('deploy/alertmanager.yml forwards to Mailpit', () => {
    const am = parse(read('deploy/alertmanager.yml')) as { global: { smtp_smarthost: string }; route: { receiver: string }; receivers: Array<{ name: string }> }
    expect(am.global.smtp_smarthost).toBe('mailpit:1025')
    expect(am.receivers.map((r) => r.name)).toContain(am.route.receiver)
  })

  it('the ClickHouse users match the credentials throughline and Grafana use', () => {
    const users = read('deploy/clickhouse/users.xml')
    const passwordOf = (user: string): string | undefined => new RegExp(`<${user}>\\s*<password>([^<]*)</password>`).exec(users)?.[1]
    const env = compose.services.collector?.environment ?? {}
    expect(passwordOf(env.THROUGHLINE_CLICKHOUSE_USER ?? '')).toBe(env.THROUGHLINE_CLICKHOUSE_PASSWORD)
    // The datasource file is shared with the embedded setup; Grafana fills in ${VAR} from its
    // environment, which compose sets to the server service and the read-only user.
    const grafana = compose.services.grafana?.environment ?? {}
    const expand = (text: string): string => text.replace(/\$\{(\w+)\}/g, (_m, name: string) => grafana[name] ?? `<unset ${name}>`)
    const dir = hostPathMountedAt('grafana', '/etc/grafana/provisioning/datasources')
    const files = readdirSync(join(ROOT, dir)).filter((f) => /\.ya?ml$/.test(f))
    expect(files.length, `datasource provisioning files in ${dir}`).toBeGreaterThan(0)
    for (const file of files) {
      const provisioning = parse(expand(read(join(dir, file)))) as {
        datasources: Array<{
          type: string
          jsonData: { host: string; port: string | number; protocol: string; username: string }
          secureJsonData: { password: string }
        }>
      }
      for (const ds of provisioning.datasources) {
        expect(ds.type).toBe('grafana-clickhouse-datasource')
        expect({ host: ds.jsonData.host, port: String(ds.jsonData.port), protocol: ds.jsonData.protocol }).toEqual({
          host: 'clickhouse',
          port: '8123',
          protocol: 'http',
        })
        expect(passwordOf(ds.jsonData.username)).toBe(ds.secureJsonData.password)
        // Grafana's user is the read-only one.
        expect(users).toMatch(new RegExp(`<${ds.jsonData.username}>[\\s\\S]*?<profile>grafana_readonly</profile>`))
      }
    }
  })

  it('Grafana reads the generated dashboards where the provider looks for them', () => {
    const dir = hostPathMountedAt('grafana', '/etc/grafana/provisioning/dashboards')
    const files = readdirSync(join(ROOT, dir)).filter((f) => /\.ya?ml$/.test(f))
    expect(files.length, `dashboard provisioning files in ${dir}`).toBeGreaterThan(0)
    for (const file of files) {
      const provisioning = parse(read(join(dir, file))) as { providers: Array<{ options: { path: string } }> }
      for (const provider of provisioning.providers) {
        const source = hostPathMountedAt('grafana', provider.options.path)
        expect(source).toBe('./dashboards/generated')
        expect(readdirSync(join(ROOT, source)).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0)
      }
    }
  })

  it('the ClickHouse server is the release the embedded engine is built from', () => {
    // libchdb's version is the ClickHouse version it embeds (26.7.3-stable.1 -> 26.7): the KPI
    // SQL is tested on exactly that release (query parameters, settings and functions alike).
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> }
    const libchdb = Object.entries(lock.packages).find(([path]) => path.startsWith('node_modules/@chdb/lib-'))?.[1].version ?? ''
    const [major, minor] = libchdb.split('.')
    expect(compose.services.clickhouse?.image).toBe(`clickhouse/clickhouse-server:${major}.${minor}`)
  })

  it('the Dockerfile copies every runtime folder the package ships and runs the throughline command', () => {
    const dockerfile = read('Dockerfile')
    const copied = [...dockerfile.matchAll(/^COPY (\S+) /gm)].map((m) => m[1]!)
    for (const source of copied) expect(existsSync(join(ROOT, source)), source).toBe(true)
    const shipped = (JSON.parse(read('package.json')) as { files: string[] }).files.filter((f) => f !== 'dist') // dist: the SDK build for npm consumers
    for (const folder of shipped) expect(copied, folder).toContain(folder)
    expect(dockerfile).toMatch(/^FROM node:24/m)
    expect(dockerfile).toContain('npm install --omit=dev')
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/throughline.js"]')
  })

  it('the image installs no devDependencies, so the code it ships imports none', () => {
    // Every bare import in the folders the Dockerfile copies must be a production dependency.
    const dockerfile = read('Dockerfile')
    const folders = [...dockerfile.matchAll(/^COPY (\S+) /gm)].map((m) => m[1]!).filter((f) => !f.includes('.') && f !== 'processes.d')
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    const imported = new Set<string>()
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else if (/\.(ts|js)$/.test(entry.name)) {
          for (const m of read(path).matchAll(/(?:from|import\() '([^.'][^']*)'/g)) {
            const spec = m[1]!
            // Builtins, and text that only looks like an import (a template inside a string).
            if (spec.startsWith('node:') || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/.*)?$/.test(spec)) continue
            imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
          }
        }
      }
    }
    for (const folder of folders) walk(folder)
    expect(imported.size).toBeGreaterThan(10)
    expect([...imported].filter((name) => !(name in pkg.dependencies)).sort()).toEqual([])
  })
})
