import { spawn } from 'node:child_process'
import { type AddressInfo, createServer } from 'node:net'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Wall time from spawn to close. */
  ms: number
}

export interface RunOptions {
  /** The child's whole environment (nothing is inherited). */
  env: NodeJS.ProcessEnv
  cwd?: string
  /** SIGKILL after this long. Default 30 s. */
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
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.stdin.on('error', () => undefined).end(o.input ?? '')
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
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
