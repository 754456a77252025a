import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, readFileSync, symlinkSync } from 'node:fs'
import { delimiter, join, relative } from 'node:path'
import { repoDir, stringLeaves } from './fixture.js'

export const examples = ['vite-ssr', 'rollup-node', 'rolldown-node', 'esbuild-node', 'webpack-node', 'rspack-node']

/** Framework apps (their own tests under test/frameworks): each has one config block in the README too. */
export const frameworkExamples = ['sveltekit', 'astro', 'nuxt', 'next']

export const exampleDir = (name: string): string => join(repoDir, 'examples', name)

/**
 * Copies an example (not its node_modules or dist) into `dir` and links its installed node_modules, so the test
 * builds and runs exactly the example's own scripts and config without writing into the repository.
 */
export function copyExample(name: string, dir: string): string {
  const src = exampleDir(name)
  const dest = join(dir, name)
  cpSync(src, dest, {
    recursive: true,
    filter: (p) => !/^(node_modules|dist)(\/|$)/.test(relative(src, p)),
  })
  symlinkSync(join(src, 'node_modules'), join(dest, 'node_modules'), 'dir')
  return dest
}

/** The plaintext sample values of an example (they are fake, and must still never reach dist/). */
export function exampleSecrets(dir: string): { db: Record<string, unknown>; apiToken: string; canaries: string[] } {
  const db = JSON.parse(readFileSync(join(dir, 'config', 'db.secret.json'), 'utf8')) as Record<string, unknown>
  const apiToken = readFileSync(join(dir, 'config', 'api.secret.txt'), 'utf8')
  return { db, apiToken, canaries: [...stringLeaves(db), apiToken, apiToken.trim()] }
}

function scriptEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: [join(dir, 'node_modules', '.bin'), env.PATH ?? process.env.PATH].join(delimiter) }
}

function script(dir: string, name: string): string {
  const command = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts[name]
  if (!command) throw new Error(`no "${name}" script in ${dir}/package.json`)
  return command
}

/**
 * Runs one of the example's package.json scripts as `pnpm run <name>` would (through a shell with node_modules/.bin
 * on PATH) — except `node <file>` scripts, spawned directly so that the PID we signal is the server's own.
 */
export function spawnScript(dir: string, name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const command = script(dir, name)
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe']
  const direct = /^node (\S+)$/.exec(command)
  if (direct) return spawn(process.execPath, [direct[1]!], { cwd: dir, env, stdio })
  return spawn(command, { cwd: dir, shell: true, env: scriptEnv(dir, env), stdio })
}

export function runScript(
  dir: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnScript(dir, script, env)
    let out = ''
    child.stdout?.on('data', (d) => {
      out += d
    })
    child.stderr?.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

export interface RunningServer {
  url: string
  line: string
  stop(): Promise<void>
}

/** `start`s the example server and waits for its "listening on http://127.0.0.1:<port>" line. */
export function startExample(dir: string, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const child = spawnScript(dir, 'start', { ...env, PORT: '0', HOST: '127.0.0.1' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`no "listening" line:\n${out}`))), 30_000)
    const onData = (d: Buffer) => {
      out += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[1]!, line: m[0], stop })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => {
      out += d
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`the server exited before listening:\n${out}`))
    })
  })
}
