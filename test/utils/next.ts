import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join, relative } from 'node:path'
import { freePort } from '@kms-secrets/testkit/process'
import { exampleDir } from './example.js'
import { stringLeaves } from './fixture.js'
import { runBin } from './framework-app.js'

const source = exampleDir('next')
const nextBin = join(source, 'node_modules', 'next', 'dist', 'bin', 'next')

/**
 * Copies examples/next into `dir/name` (not its node_modules, .next or generated files) and links the example's
 * node_modules: one install shared by every scenario. The copy lives under test/.tmp, inside the workspace, so
 * Turbopack's root (found from pnpm-lock.yaml) holds the real paths of the linked packages.
 */
export function copyNextApp(dir: string, name: string): string {
  const dest = join(dir, name)
  cpSync(source, dest, {
    recursive: true,
    filter: (p) => !/^(node_modules|\.next|next-env\.d\.ts)(\/|$)|\.secret\.d\.\w+\.ts$/.test(relative(source, p)),
  })
  symlinkSync(join(source, 'node_modules'), join(dest, 'node_modules'), 'dir')
  return dest
}

/** Every directory of the app copy a build or dev run may write to (the secret files' own dir excluded). */
export function nextOutputDirs(app: string): string[] {
  return readdirSync(app)
    .filter((e) => e !== 'node_modules' && e !== 'config')
    .map((e) => join(app, e))
}

/** The sample plaintext values of the app (fake, and still never allowed in any output). */
export function nextSecrets(app: string) {
  const read = (f: string) => readFileSync(join(app, 'config', f), 'utf8')
  const db = JSON.parse(read('db.secret.json')) as Record<string, unknown>
  const apiToken = read('api.secret.txt').trim()
  const smtpPassword = /password: (\S+)/.exec(read('mail.secret.yaml'))![1]!
  return { db, apiToken, smtpPassword, canaries: [...stringLeaves(db), apiToken, smtpPassword] }
}

export const nextEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...env,
  NEXT_TELEMETRY_DISABLED: '1',
  CI: '1',
  NO_COLOR: '1',
})

/** Runs `next <args>` (Next's own bin, with node) in the app and collects its output. */
export const runNext = (app: string, args: string[], env: NodeJS.ProcessEnv) => runBin(nextBin, app, args, nextEnv(env))

export interface NextServer {
  url: string
  /** Everything the server printed so far. */
  output(): string
  /** SIGTERM to the process group of the server we started (next dev forks its server), then waits for exit. */
  stop(): Promise<void>
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        child.kill('SIGTERM')
      }
    }
    await exited
  }
}

/** `next start` or `next dev` on 127.0.0.1 and a free port; resolves once Next says it is ready. */
export async function startNext(app: string, command: 'start' | 'dev', env: NodeJS.ProcessEnv): Promise<NextServer> {
  const port = await freePort()
  const child = spawn(process.execPath, [nextBin, command, '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app,
    env: nextEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: `next dev` forks the server, and stop() signals exactly the processes started here.
    detached: true,
  })
  const stop = stopper(child)
  let out = ''
  const collect = (d: Buffer) => {
    out += d
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => void stop().then(() => reject(new Error(`next ${command}: not ready:\n${out}`))),
      60_000,
    )
    const check = () => {
      if (!/Ready in/.test(out)) return
      clearTimeout(timer)
      child.stdout?.off('data', check)
      resolve({ url: `http://127.0.0.1:${port}`, output: () => out, stop })
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(Object.assign(new Error(`next ${command} exited (${code}) before ready:\n${out}`), { code, out }))
    })
  })
}
