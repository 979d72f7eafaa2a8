// `throughline processes validate DIR`: problems to stderr as FILE:LINE: FIELD: message, one
// summary line to stdout, exit code 0 or 1, as CI runs it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { processesValidateCommand } from '../../../cli/processes.ts'

const VALID =
  'name: a\nversion: 1\nroot_key: k\nkeys: [{ type: k }]\nmilestones: [{ name: x.done }]\nstart: [x.done]\nterminal: [{ milestone: x.done, outcome: completed }]\n'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
afterEach(() => vi.restoreAllMocks())

async function definitionsDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-validate-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

async function validate(dir: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = []
  const stderr: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void stdout.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => void stderr.push(line))
  const code = await processesValidateCommand(dir)
  return { code, stdout, stderr }
}

describe('processes validate', () => {
  it('passes the shipped processes.d/ with exit code 0', async () => {
    expect(await validate('processes.d')).toEqual({ code: 0, stdout: ['5 process definitions valid'], stderr: [] })
  })

  it('prints each error as FILE:LINE: FIELD: message and exits 1', async () => {
    const dir = await definitionsDir({
      'a.yaml': VALID,
      'b.yaml': VALID.replace('name: a', 'name: b').replace('start: [x.done]', 'start: [x.dne]').replace('version: 1', 'version: 1.5'),
    })
    const result = await validate(dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toEqual([
      `${join(dir, 'b.yaml')}:2: version: 1.5 is neither a positive integer nor a semver string; write a whole number (3) or quote a semver ("1.5.0")`,
      `${join(dir, 'b.yaml')}:6: start[0]: 'x.dne' is not a milestone of this process; did you mean 'x.done'?`,
    ])
    expect(result.stdout).toEqual(['2 errors in 1 file'])
  })

  it('counts errors over files and mentions warnings without failing on them alone', async () => {
    const twoBad = await definitionsDir({ 'a.yaml': VALID.replace('version: 1', 'version: 0'), 'b.yaml': VALID })
    const bad = await validate(twoBad)
    expect(bad.stdout).toEqual(['2 errors in 2 files'])
    expect(bad.stderr).toEqual([
      `${join(twoBad, 'a.yaml')}:2: version: '0' is neither a positive integer nor a semver string such as 1.4.0`,
      `${join(twoBad, 'b.yaml')}:1: name: process 'a' is already defined at ${join(twoBad, 'a.yaml')}:1; one name, one definition (keep older versions in version control)`,
    ])

    const warned = await definitionsDir({ 'a.yaml': `${VALID}lateness_allowance: { default: 5m, by_system: { ERP: 1h } }\n` })
    const result = await validate(warned)
    expect(result).toEqual({
      code: 0,
      stdout: ['1 process definition valid, 1 warning'],
      stderr: [`${join(warned, 'a.yaml')}:8: lateness_allowance.by_system.ERP: warning: no milestone has system 'ERP', so this allowance is never used`],
    })
  })

  it('fails on a directory it cannot read', async () => {
    const result = await validate('/nonexistent/processes.d')
    expect(result.code).toBe(1)
    expect(result.stderr).toEqual([expect.stringMatching(/^\/nonexistent\/processes\.d: \(directory\): cannot read the definitions directory: ENOENT/)])
    expect(result.stdout).toEqual(['1 error in 1 file'])
  })
})
