// The SDK as a consumer installs it: Node strips no types under node_modules, so the package's
// `./sdk` export must be the JavaScript and declarations that `npm run build:sdk` emits
// (tsconfig.sdk.json). This builds them into a throughline package inside a temporary
// node_modules, imports `throughline/sdk` from a plain .mjs file in a separate Node process,
// and type-checks a TypeScript consumer against the declarations.
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/temp-dir.ts'

const run = promisify(execFile)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = tempDir('sdk-package')
const pkg = join(dir.path, 'node_modules', 'throughline')
const dist = join(pkg, 'dist')
afterAll(() => dir.remove())

beforeAll(async () => {
  mkdirSync(join(dir.path, 'node_modules', '@opentelemetry'), { recursive: true })
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.sdk.json'), '--outDir', dist])
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'))
  // The SDK's one dependency, as npm would install it next to the package.
  symlinkSync(join(root, 'node_modules/@opentelemetry/api'), join(dir.path, 'node_modules/@opentelemetry/api'), 'dir')
})

const jsFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(join(folder, entry.name)) : entry.name.endsWith('.js') ? [join(folder, entry.name)] : [],
  )

describe('the ./sdk package export', () => {
  it('points at emitted JavaScript and declarations', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    expect(manifest.exports['./sdk']).toEqual({ types: './dist/sdk/index.d.ts', default: './dist/sdk/index.js' })
    expect(existsSync(join(pkg, 'dist/sdk/index.js'))).toBe(true)
    expect(existsSync(join(pkg, 'dist/sdk/index.d.ts'))).toBe(true)
  })

  it('imports only @opentelemetry/api and its own .js files', () => {
    const specifiers = new Set(
      jsFiles(dist).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*["']([^"']+)["']/g)].map(([, specifier]) =>
          specifier!.startsWith('.') ? relative(dist, resolve(dirname(file), specifier!)) : specifier!,
        ),
      ),
    )
    const index = readFileSync(join(dist, 'sdk/index.js'), 'utf8')
    expect([...index.matchAll(/from\s*"(\.\.\/[^"]+)"/g)].map(([, s]) => s)).toEqual(['../core/semconv.js'])
    for (const specifier of specifiers) {
      if (specifier === '@opentelemetry/api') continue
      expect(specifier).toMatch(/^(sdk\/[a-z-]+|core\/semconv)\.js$/)
      expect(existsSync(join(dist, specifier))).toBe(true)
    }
    expect(specifiers).toContain('@opentelemetry/api')
  })

  it('is importable as throughline/sdk from plain JavaScript', async () => {
    const consumer = join(dir.path, 'consumer.mjs')
    writeFileSync(
      consumer,
      [
        "import { ROOT_CONTEXT, trace } from '@opentelemetry/api'",
        "import { startIntegrationSpan, integrationSpanAttributes, BusinessAttr } from 'throughline/sdk'",
        "const span = startIntegrationSpan(trace.getTracer('consumer'), 'sync order', { process: 'lead_to_cash' })",
        'span.end()',
        'console.log(JSON.stringify({',
        '  startIntegrationSpan: typeof startIntegrationSpan,',
        '  BusinessAttr: typeof BusinessAttr,',
        '  process: BusinessAttr.process,',
        "  attributes: integrationSpanAttributes({ process: 'lead_to_cash', keys: { order_id: 'O-1' } }, ROOT_CONTEXT),",
        "  resolved: import.meta.resolve('throughline/sdk').endsWith('/node_modules/throughline/dist/sdk/index.js'),",
        '}))',
      ].join('\n'),
    )
    const { stdout, stderr } = await run(process.execPath, [consumer], { cwd: dir.path })
    expect(stderr).toBe('')
    expect(JSON.parse(stdout)).toEqual({
      startIntegrationSpan: 'function',
      BusinessAttr: 'object',
      process: 'business.process',
      attributes: { 'business.process': 'lead_to_cash', 'business.key.order_id': 'O-1' },
      resolved: true,
    })
  })

  it('gives a TypeScript consumer the declarations', async () => {
    const consumer = join(dir.path, 'consumer.ts')
    writeFileSync(
      consumer,
      [
        "import { trace } from '@opentelemetry/api'",
        "import { startIntegrationSpan, type BusinessStatus, type IntegrationSpanOptions } from 'throughline/sdk'",
        "const options: IntegrationSpanOptions = { process: 'lead_to_cash', status: 'retry' satisfies BusinessStatus }",
        "startIntegrationSpan(trace.getTracer('consumer'), 'sync order', options).end()",
        '// @ts-expect-error not a business status',
        "export const bad: BusinessStatus = 'nope'",
      ].join('\n'),
    )
    const config = { compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['consumer.ts'] }
    writeFileSync(join(dir.path, 'tsconfig.json'), JSON.stringify(config))
    const result = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir.path]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    )
    expect(result).toBe('')
  })
})
