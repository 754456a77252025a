import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { localKmsBin } from './work.js'

export interface KmsProcess {
  proc: ChildProcessWithoutNullStreams
  port: number
  /** SIGKILL (kill -9) of this child only. */
  kill9(): Promise<void>
  /** SIGTERM, waits for the exit. */
  stop(): Promise<void>
}

export interface FailedStart {
  code: number | null
  stdout: string
  stderr: string
}

/** Starts the local-kms bin; resolves when it prints its listening line, or with how it failed. */
export function spawnLocalKms(args: string[], timeoutMs = 20_000): Promise<KmsProcess | FailedStart> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [localKmsBin, '--port', '0', '--quiet', ...args], {
      env: { PATH: process.env.PATH },
      stdio: 'pipe',
    })
    let stdout = ''
    let stderr = ''
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      const m = /local-kms listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)
      if (!m) return
      clearTimeout(timer)
      resolve({
        proc,
        port: Number(m[1]),
        kill9: async () => {
          proc.kill('SIGKILL')
          await exited
        },
        stop: async () => {
          proc.kill('SIGTERM')
          await exited
        },
      })
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export function isRunning(p: KmsProcess | FailedStart): p is KmsProcess {
  return 'port' in p
}
