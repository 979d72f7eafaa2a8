#!/usr/bin/env node
// The `throughline` command. The code is TypeScript run by Node's type stripping
// (Node >= 22.18). On an older Node this re-runs itself on the Node 24 pinned in
// node_modules (the `node` devDependency), forwarding signals and the exit status.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
const stripsTypes = major > 22 || (major === 22 && minor >= 18)

if (stripsTypes) {
  const { main } = await import('../cli/main.ts')
  await main(process.argv.slice(2))
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    console.error(`throughline needs Node.js 22.18 or later (this is ${process.version}); run \`npm install\` to install the pinned Node 24.`)
    process.exit(1)
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else process.exit(code ?? 1)
  })
}
