// The folders are the architecture: dependencies point down (cli -> api, collector -> store
// -> core), each part is entered through its index.ts, and the SDK stands on the
// OpenTelemetry API and core alone, so integration code can adopt it without the service.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Which parts each part may import. core is a set of leaf modules every part may use. */
const allowed: Readonly<Record<string, readonly string[]>> = {
  core: [],
  store: ['core'],
  processes: ['store', 'core'],
  collector: ['store', 'core'],
  notify: ['store', 'core'],
  triage: ['notify', 'store', 'core'],
  rules: ['notify', 'processes', 'store', 'core'],
  api: ['rules', 'triage', 'notify', 'processes', 'store', 'core'],
  sdk: ['core'],
  demo: ['processes', 'sdk', 'core'],
  dashboards: ['rules', 'notify', 'processes', 'store', 'core'],
  cli: ['api', 'demo', 'collector', 'rules', 'triage', 'notify', 'processes', 'store', 'core'],
}

interface ImportEdge {
  readonly file: string
  readonly part: string
  readonly specifier: string
  readonly target: string | null
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8')
  const part = file.split('/')[0]!
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(([, specifier]) => {
    const target = specifier!.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier!)) : null
    return { file, part, specifier: specifier!, target }
  })
}

const edges = Object.keys(allowed).flatMap((part) => sourceFiles(part).flatMap(importsOf))

describe('architecture', () => {
  it('has dependencies that only point down', () => {
    const upward = edges.filter((e) => {
      if (e.target === null) return false
      const targetPart = e.target.split('/')[0]!
      return targetPart !== e.part && !allowed[e.part]!.includes(targetPart)
    })
    expect(upward.map((e) => `${e.file} -> ${e.specifier}`)).toEqual([])
  })

  it('enters every part but core through its index.ts', () => {
    const sideDoors = edges.filter((e) => {
      if (e.target === null) return false
      const [targetPart, ...rest] = e.target.split('/')
      return targetPart !== e.part && targetPart !== 'core' && rest.join('/') !== 'index.ts'
    })
    expect(sideDoors.map((e) => `${e.file} -> ${e.specifier}`)).toEqual([])
  })

  it('keeps the SDK on the OpenTelemetry API and core/semconv.ts alone', () => {
    const foreign = edges.filter(
      (e) => e.part === 'sdk' && (e.target === null ? e.specifier !== '@opentelemetry/api' : e.target.startsWith('core/') && e.target !== 'core/semconv.ts'),
    )
    expect(foreign.map((e) => `${e.file} -> ${e.specifier}`)).toEqual([])
  })
})
