// How a spool segment's rows reach ClickHouse. A server gets them as the body of an
// INSERT (it parses on its own cores). The embedded engine shares our disk, so the body is
// staged as a file and ClickHouse reads it with file(): it parses in parallel, without the
// rows passing through JavaScript strings again. Both carry the segment's dedup token.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { insertJsonEachRow, insertJsonEachRowFile, type StoreClient } from '../store/index.ts'
import type { TableInsert } from './pipeline.ts'

export function segmentInsert(store: StoreClient, stagingDir: string): TableInsert {
  const distributedForeground = store.cluster !== undefined
  if (store.mode === 'server') return (table, body, token) => insertJsonEachRow(store, table, body, { dedupToken: token, distributedForeground })
  const dir = resolve(stagingDir)
  let ready: Promise<unknown> | null = null
  return async (table, body, token) => {
    ready ??= mkdir(dir, { recursive: true })
    await ready
    const path = join(dir, `${token}.${table}.jsonl`)
    await writeFile(path, body)
    try {
      await insertJsonEachRowFile(store, table, path, { dedupToken: token })
    } finally {
      await rm(path, { force: true })
    }
  }
}
