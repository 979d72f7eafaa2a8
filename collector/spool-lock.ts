// One process per spool directory: two collectors draining the same segments would insert
// them twice (each with the same token, so stored once, but racing on deletes and replays).
// The lock file holds the owner's pid; a lock whose process is gone (after SIGKILL) is stale
// and taken over.
import { randomBytes } from 'node:crypto'
import { link, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'

const LOCK_FILE = '.lock'

/** Locks held by this process: its own pid in a lock file is only stale if not listed here. */
const heldHere = new Set<string>()

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still running.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface SpoolLock {
  release(): Promise<void>
}

export async function lockSpoolDirectory(dir: string): Promise<SpoolLock> {
  const path = join(dir, LOCK_FILE)
  if (heldHere.has(path)) {
    throw new ThroughlineError(ErrorCode.storeUnavailable, `the spool in ${dir} is already open in this process`, 503)
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    // Write the pid to a private file, then link it into place: the lock appears atomically
    // with its owner in it, so nobody ever reads an empty lock and takes it for stale.
    const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
    try {
      await writeFile(draft, String(process.pid))
      await link(draft, path)
      await rm(draft, { force: true })
      heldHere.add(path)
      return {
        release: async () => {
          heldHere.delete(path)
          await rm(path, { force: true })
        },
      }
    } catch (error) {
      await rm(draft, { force: true })
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new ThroughlineError(
          ErrorCode.storeUnavailable,
          `the spool in ${dir} is in use by process ${owner} (another \`throughline serve\` on the same data directory); give each collector its own --data-dir`,
          503,
        )
      }
      // Stale: its owner is gone, or it is our own pid reused after a restart (a container).
      await rm(path, { force: true })
    }
  }
  throw new ThroughlineError(ErrorCode.storeUnavailable, `cannot take the spool lock in ${dir}`, 503)
}
