import { spawn } from 'node:child_process'
import { type AddressInfo, createServer } from 'node:net'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout and stderr interleaved as they arrived. */
  output: string
  /** Wall time from spawn to close. */
  ms: number
}

export interface RunOptions {
  /** The child's whole environment (nothing is inherited). */
  env: NodeJS.ProcessEnv
  cwd?: string
  /** SIGKILL after this long; 0: never. Default 30 s. */
  timeoutMs?: number
  /** Written to stdin, which is then closed. */
  input?: string
}

/** Runs `cmd` with exactly `env`, captures its output, and kills it if it does not exit in time. */
export function runProcess(cmd: readonly string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: o.cwd, env: o.env, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      output += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      output += d
    })
    child.stdin.on('error', () => undefined).end(o.input ?? '')
    const timeoutMs = o.timeoutMs ?? 30_000
    const timer = timeoutMs === 0 ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, output, ms: Date.now() - started })
    })
  })
}

/** A free TCP port on 127.0.0.1, for servers whose CLI wants a fixed port (nitro takes PORT=0 as "use 3000"). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
