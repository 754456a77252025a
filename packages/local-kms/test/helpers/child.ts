import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const binPath = fileURLToPath(new URL('../../bin/local-kms.mjs', import.meta.url))

export interface KmsChild {
  child: ChildProcess
  /** The first stdout line. */
  firstLine: Promise<string>
  stdout(): string
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Spawns the real bin (built dist) with `args`; environment without proxies. `env` adds variables (HOME,
 * XDG_STATE_HOME… pointed at a temp dir whenever the bin may use its default data dir — never the real home).
 */
export function spawnKms(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): KmsChild {
  const child = spawn(process.execPath, [binPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only PATH: a developer's real TENCENTCLOUD_* credentials or proxies must not reach the test server.
    env: { PATH: process.env.PATH ?? '', ...o.env },
    cwd: o.cwd,
  })
  let out = ''
  let err = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8')
      const nl = out.indexOf('\n')
      if (nl !== -1) resolve(out.slice(0, nl))
    })
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8')
    })
    exited.then(({ code, signal }) => reject(new Error(`local-kms exited (${code ?? signal}) before ready: ${err}`)))
  })
  firstLine.catch(() => undefined)
  return { child, firstLine, stdout: () => out, stderr: () => err, exited }
}

export function portOf(line: string): number {
  const m = /^local-kms listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)
  if (!m) throw new Error(`unexpected first line: ${line}`)
  return Number(m[1])
}
