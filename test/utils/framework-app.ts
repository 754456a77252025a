import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join, relative } from 'node:path'
import { textHasCanary } from '@kms-secrets/testkit/leak'
import { runProcess } from '@kms-secrets/testkit/process'
import { parse as parseYaml } from 'yaml'
import { exampleDir } from './example.js'
import { stringLeaves } from './fixture.js'

/**
 * Copies a framework example (not node_modules or outputs) into `dest`, with a real `node_modules` dir whose entries
 * link to the example's installed packages: caches the framework writes (`node_modules/.vite`, `.astro`) land in the
 * copy, where the test scans them, never in the repository.
 */
export function copyFrameworkApp(name: string, dest: string, skip: readonly string[]): string {
  const src = exampleDir(name)
  cpSync(src, dest, {
    recursive: true,
    filter: (p) => {
      const rel = relative(src, p).split('/')[0]!
      return rel !== 'node_modules' && !skip.includes(rel)
    },
  })
  const modules = join(src, 'node_modules')
  mkdirSync(join(dest, 'node_modules'))
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.') && entry !== '.bin') continue
    symlinkSync(join(modules, entry), join(dest, 'node_modules', entry), 'dir')
  }
  return dest
}

/** Runs `node <bin> <args>` in `app` (no timeout) and collects its interleaved output. */
export async function runBin(
  bin: string,
  app: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string }> {
  const run = await runProcess([process.execPath, bin, ...args], { env, cwd: app, timeoutMs: 0 })
  return { code: run.code, out: run.output }
}

export interface AppSecrets {
  db: { host: string; port: number; user: string; password: string }
  apiToken: string
  smtp: { host: string; user: string; password: string }
  /** Every plaintext string leaf: none may appear in any output, cache, response or log. */
  canaries: string[]
}

/** The plaintext sample values of an app (`db.secret.json`, `api.secret.txt`, `smtp.secret.yaml` in `secretDir`). */
export function readAppSecrets(dir: string, secretDir: string): AppSecrets {
  const read = (f: string) => readFileSync(join(dir, secretDir, f), 'utf8')
  const db = JSON.parse(read('db.secret.json')) as AppSecrets['db']
  const apiToken = read('api.secret.txt')
  const smtp = parseYaml(read('smtp.secret.yaml')) as AppSecrets['smtp']
  const canaries = [...new Set([...stringLeaves(db), ...stringLeaves(smtp), apiToken, apiToken.trim()])]
  return { db, apiToken, smtp, canaries }
}

export interface NodeServer {
  child: ChildProcess
  /** Everything the process printed so far (stdout and stderr). */
  output(): string
  /** SIGTERM to this process (by its PID, nothing else), then wait for it to exit. */
  stop(): Promise<void>
}

/**
 * Starts `node <args>` in `cwd` (node itself, no shell, so the PID is the server's) and waits until it prints a
 * line matching `ready`; rejects with its output if it exits first or within `timeoutMs`.
 */
export function startNodeServer(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<NodeServer & { exitCode?: number | null }> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const server: NodeServer = {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void server.stop().then(() => reject(new Error(`not ready:\n${out}`))), timeoutMs)
    const onData = (d: Buffer) => {
      out += d
      if (ready.test(out)) {
        clearTimeout(timer)
        resolve(server)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      resolve({ ...server, exitCode: code })
    })
  })
}

/** GET a URL; never throws (status 0 for a connection error), so every probe is reported. */
export async function get(url: string): Promise<{ url: string; status: number; body: string }> {
  try {
    const res = await fetch(url, { redirect: 'manual' })
    return { url, status: res.status, body: await res.text() }
  } catch (e) {
    return { url, status: 0, body: String(e) }
  }
}

/** The paths (GET on `base`) whose answer carries a canary, with their status: a test expects none. */
export async function pathsServingCanaries(
  base: string,
  paths: readonly string[],
  canaries: string[],
): Promise<{ url: string; status: number }[]> {
  const served: { url: string; status: number }[] = []
  for (const path of paths) {
    const res = await get(`${base}${path}`)
    if (textHasCanary(res.body, canaries).length > 0) served.push({ url: path, status: res.status })
  }
  return served
}

/** Every way a dev server could be asked for a secret file: path forms × the queries vite gives meaning to. */
export function devProbePaths(
  appDir: string,
  relFiles: readonly string[],
  frameworkForms: (file: string) => string[],
): string[] {
  const queries = ['', '?raw', '?url', '?inline', '?import', '?import&raw', '?raw&import', '?worker', '?direct', '?t=1']
  const paths: string[] = []
  for (const file of relFiles) {
    const forms = [
      `/${file}`,
      `//${file}`,
      `/${file.replace('.secret.', '%2Esecret.')}`,
      `/@fs${appDir}/${file}`,
      `/@id/${file}`,
      `/@id/${appDir}/${file}`,
      ...frameworkForms(file),
    ]
    for (const form of forms) for (const q of queries) paths.push(`${form}${q}`)
  }
  return paths
}
