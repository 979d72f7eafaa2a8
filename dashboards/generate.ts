// `npm run dashboards`: loads the process definitions of processes.d and writes the dashboards
// and provisioning files under dashboards/, removing generated dashboards no longer produced.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadProcessDefinitions } from '../processes/index.ts'
import { GENERATED_DIR, generateDashboards } from './index.ts'

const here = dirname(fileURLToPath(import.meta.url))
const load = await loadProcessDefinitions(join(here, '..', 'processes.d'))
if (!load.ok) {
  console.error(`processes.d does not load: ${JSON.stringify(load.problems, null, 2)}`)
  process.exit(1)
}
const files = generateDashboards(load.definitions)
for (const [path, content] of files) {
  await mkdir(dirname(join(here, path)), { recursive: true })
  await writeFile(join(here, path), content)
}
for (const name of await readdir(join(here, GENERATED_DIR))) {
  if (!files.has(`${GENERATED_DIR}/${name}`)) await rm(join(here, GENERATED_DIR, name))
}
console.log(`wrote ${files.size} files under dashboards/`)
