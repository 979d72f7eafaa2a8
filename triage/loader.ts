// Loads every runbook of a directory (default runbooks/): each *.md file but README.md is one
// runbook. A broken runbook fails the set, like process definitions and rules: CI says which
// file and line, and the service never runs half a runbook.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Runbook } from './model.ts'
import { parseRunbook } from './parse.ts'
import { isRunbookError, problem, RunbookProblemCode, sortRunbookProblems, type RunbookProblem } from './problems.ts'

export const DEFAULT_RUNBOOKS_DIR = 'runbooks'

export type RunbookLoad =
  | { readonly ok: true; readonly runbooks: readonly Runbook[]; readonly warnings: readonly RunbookProblem[]; readonly files: readonly string[] }
  | { readonly ok: false; readonly problems: readonly RunbookProblem[]; readonly files: readonly string[] }

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Checks runbooks given as text (an API upload, a test), as the loader checks files. */
export function checkRunbookTexts(files: ReadonlyArray<{ readonly file: string; readonly text: string }>): RunbookLoad {
  const reads = files.map(({ file, text }) => parseRunbook(file, text))
  const problems = sortRunbookProblems(reads.flatMap((read) => read.problems))
  const names = files.map(({ file }) => file)
  if (problems.some(isRunbookError)) return { ok: false, problems, files: names }
  const runbooks = reads.flatMap((read) => (read.runbook === undefined ? [] : [read.runbook])).sort((a, b) => a.id.localeCompare(b.id))
  return { ok: true, runbooks, warnings: problems, files: names }
}

export async function loadRunbooks(dir: string = DEFAULT_RUNBOOKS_DIR): Promise<RunbookLoad> {
  let files: string[]
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    files = entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'README.md' && !entry.name.startsWith('.'))
      .map((entry) => join(dir, entry.name))
      .sort()
  } catch (error) {
    return {
      ok: false,
      problems: [problem('error', RunbookProblemCode.unreadable, dir, 0, '(directory)', `cannot read the runbooks directory: ${message(error)}`)],
      files: [],
    }
  }
  const texts: Array<{ file: string; text: string }> = []
  const unreadable: RunbookProblem[] = []
  for (const file of files) {
    try {
      texts.push({ file, text: await readFile(file, 'utf8') })
    } catch (error) {
      unreadable.push(problem('error', RunbookProblemCode.unreadable, file, 0, '(file)', `cannot read: ${message(error)}`))
    }
  }
  if (unreadable.length > 0) return { ok: false, problems: unreadable, files }
  const load = checkRunbookTexts(texts)
  if (files.length > 0 || !load.ok) return load
  return { ...load, warnings: [problem('warning', RunbookProblemCode.noRunbooks, dir, 0, '(directory)', 'holds no runbook (*.md besides README.md)')] }
}
