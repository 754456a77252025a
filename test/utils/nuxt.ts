import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '@kms-secrets/testkit/process'
import { exampleDir } from './example.js'
import { stringLeaves } from './fixture.js'
import { copyFrameworkApp, runBin } from './framework-app.js'

const source = exampleDir('nuxt')
const nuxtBin = join(source, 'node_modules', 'nuxt', 'bin', 'nuxt.mjs')

/** Copies examples/nuxt into `dir/name` (see copyFrameworkApp: Nuxt's and vite's caches land in the copy). */
export const copyNuxtApp = (dir: string, name: string): string =>
  copyFrameworkApp('nuxt', join(dir, name), ['.nuxt', '.output'])

/** Every directory of a Nuxt app a build or a dev run writes to. */
export const nuxtOutputDirs = (app: string): string[] =>
  ['.nuxt', '.output', 'node_modules/.cache', 'node_modules/.vite'].map((d) => join(app, d))

/** The sample plaintext values of the app (fake, and still never allowed on disk after a build). */
export function nuxtSecrets(app: string) {
  const db = JSON.parse(readFileSync(join(app, 'config', 'db.secret.json'), 'utf8')) as Record<string, unknown>
  const apiToken = readFileSync(join(app, 'config', 'api.secret.txt'), 'utf8')
  const yaml = readFileSync(join(app, 'config', 'features.secret.yaml'), 'utf8')
  const signingKey = /signingKey: (\S+)/.exec(yaml)![1]!
  // `hidden`: what the app never answers (it shows db host, port and user on purpose, and only lengths of the rest).
  const hidden = [String(db.password), apiToken.trim(), signingKey]
  return { db, apiToken, signingKey, hidden, canaries: [...stringLeaves(db), apiToken.trim(), signingKey] }
}

/** Runs `nuxt <args>` (the CLI's own bin, with node) in the app and collects its output. */
export const runNuxt = (app: string, args: string[], env: NodeJS.ProcessEnv) => runBin(nuxtBin, app, args, nuxtEnv(env))

function nuxtEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NUXT_TELEMETRY_DISABLED: '1', CI: '1', NO_COLOR: '1' }
}

export interface NuxtProcess {
  url: string
  output(): string
  exited: Promise<number | null>
  stop(): Promise<void>
}

/**
 * Starts a long-running Nuxt process (`node .output/server/index.mjs`, or `nuxt dev --no-fork` so that the server
 * is this very process) and waits until `url` answers. Only this PID is signalled.
 */
export async function startNuxt(
  app: string,
  command: 'start' | 'dev',
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<NuxtProcess> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const args =
    command === 'start'
      ? [join(app, '.output', 'server', 'index.mjs')]
      : [nuxtBin, 'dev', '--no-fork', '--port', String(port), '--host', '127.0.0.1']
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: app,
    env: nuxtEnv({ ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let done = false
  void exited.then(() => {
    done = true
  })
  // SIGTERM, then SIGKILL if the process has not exited within 5 s (nuxt dev may be mid-rebuild). This PID only.
  const stop = async () => {
    if (done) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + timeoutMs
  while (!done && Date.now() < deadline) {
    const ok = await fetch(`${url}/__nuxt_probe`, { signal: AbortSignal.timeout(10_000) }).then(
      () => true,
      () => false,
    )
    if (ok && (command === 'start' || /Vite server built|Nuxt Nitro server built|ready in/i.test(out))) break
    await new Promise((r) => setTimeout(r, 250))
  }
  if (done) throw new Error(`nuxt ${command} exited before serving:\n${out}`)
  if (Date.now() >= deadline) {
    await stop()
    throw new Error(`nuxt ${command} did not answer on ${url}:\n${out}`)
  }
  return { url, output: () => out, exited, stop }
}
