import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { lockSpoolDirectory } from '../../collector/spool-lock.ts'
import { tempDir } from '../support/temp-dir.ts'

const dirs: Array<{ remove(): void }> = []
function lockDir(): string {
  const dir = tempDir('spool-lock')
  dirs.push(dir)
  return dir.path
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

describe('the spool lock', () => {
  it('lets one owner in, refuses a second while the first holds it, and frees it on release', async () => {
    const dir = lockDir()
    const lock = await lockSpoolDirectory(dir)
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(String(process.pid))
    await expect(lockSpoolDirectory(dir)).rejects.toThrow(`the spool in ${dir} is already open in this process`)
    await lock.release()
    const again = await lockSpoolDirectory(dir)
    await again.release()
  })

  it('refuses a directory whose lock names another running process', async () => {
    const dir = lockDir()
    writeFileSync(join(dir, '.lock'), String(process.ppid)) // vitest's own parent: alive
    await expect(lockSpoolDirectory(dir)).rejects.toThrow(`is in use by process ${process.ppid}`)
  })

  it('takes over a lock left by a process that is gone (after SIGKILL)', async () => {
    const dir = lockDir()
    const gone = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(join(dir, '.lock'), String(gone))
    const lock = await lockSpoolDirectory(dir)
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(String(process.pid))
    await lock.release()
  })
})
