import { spawn } from 'node:child_process'
import { dirname } from 'node:path'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs a built file with node in a child process and a clean env, by default with its own dir as cwd (as a deployed
 * server runs); kills it if it does not exit in time.
 */
export function runNode(
  file: string,
  env: NodeJS.ProcessEnv,
  { cwd = dirname(file), timeoutMs = 30_000 }: { cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** The JSON digest the fixture apps print (values live only in this captured stdout, never on disk). */
export function parseDigest(run: RunResult): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{"kmsSecretsDigest"'))
  if (!line) {
    throw new Error(
      `no digest on stdout (exit ${run.code}, signal ${run.signal}); stderr:\n${run.stderr.slice(0, 2000)}`,
    )
  }
  return (JSON.parse(line) as { kmsSecretsDigest: unknown }).kmsSecretsDigest
}
