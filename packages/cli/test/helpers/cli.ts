import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { runCli as runInProcess } from '../../src/main.js'
import { type IdentityName, identities } from './kms.js'

export const binPath = fileURLToPath(new URL('../../bin/kms-secrets.mjs', import.meta.url))

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  endpoint?: string
  /** Which seeded identity the CLI runs as (default admin); null → no credentials in the environment. */
  as?: IdentityName | null
  env?: Record<string, string | undefined>
  input?: string
}

export interface SpawnOptions extends RunOptions {
  /** Called with the child right after spawn (to send it signals). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void
}

/** A clean environment: no inherited credentials, proxies or colours. */
export function childEnv(opts: RunOptions): NodeJS.ProcessEnv {
  const identity = opts.as === null ? undefined : identities[opts.as ?? 'admin']
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: opts.cwd ?? os.tmpdir(),
    NO_COLOR: '1',
    ...(identity ? { TENCENTCLOUD_SECRET_ID: identity.secretId, TENCENTCLOUD_SECRET_KEY: identity.secretKey } : {}),
    ...(opts.endpoint ? { KMS_SECRETS_ENDPOINT: opts.endpoint } : {}),
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** A stream that keeps what is written to it. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk))
      done()
    },
  })
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

/**
 * Runs the CLI in this process (`runCli` of src/main.ts, the bin's own entry) with the environment a spawned bin would
 * get, in `cwd`, with its own stdin/stdout/stderr; nothing is read from or written to this process's env or streams.
 */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const stdout = capture()
  const stderr = capture()
  const code = await runInProcess(args, {
    env: childEnv(opts),
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    stdin: Readable.from(opts.input ? [Buffer.from(opts.input)] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
  })
  return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() }
}

/**
 * Spawns the real bin (`node bin/kms-secrets.mjs …`) and collects its output: for what needs a process (signals, the
 * exit status a shell sees, a terminal's stdio).
 */
export function spawnCli(args: string[], opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: opts.cwd, env: childEnv(opts) })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(opts.input ?? '')
    opts.onSpawn?.(child)
  })
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cli-test-${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
