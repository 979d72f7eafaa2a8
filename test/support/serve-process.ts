// Runs the real `throughline` command as a child process, for tests of what only a separate
// process shows: crash recovery, signals, exit codes, output.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

const BIN = new URL('../../bin/throughline.js', import.meta.url).pathname

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface ServeProcess {
  readonly child: ChildProcess
  readonly otlpUrl: string
  readonly apiUrl: string
  readonly output: () => string
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface StartOptions {
  /** readyz (default): the store is usable; healthz: the process is up, whatever the store. */
  readonly waitFor?: 'readyz' | 'healthz'
}

export async function startServe(dataDir: string, extraArgs: string[] = [], options: StartOptions = {}): Promise<ServeProcess> {
  const [otlpPort, apiPort] = [await freePort(), await freePort()]
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', dataDir, '--otlp-port', String(otlpPort), '--api-port', String(apiPort), '--log-level', 'info', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const otlpUrl = `http://127.0.0.1:${otlpPort}`
  const deadline = Date.now() + 30_000
  for (;;) {
    const ready = await fetch(`${otlpUrl}/${options.waitFor ?? 'readyz'}`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) break
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not become ready:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { child, otlpUrl, apiUrl: `http://127.0.0.1:${apiPort}`, output: () => output, exited: () => exit }
}

export interface CommandResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export async function runThroughline(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  return { code, stdout, stderr }
}
