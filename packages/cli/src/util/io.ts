import { AsyncLocalStorage } from 'node:async_hooks'
import { type ChildProcess, type SpawnOptions, type StdioOptions, spawn } from 'node:child_process'
import os from 'node:os'
import process from 'node:process'
import type { Readable, Writable } from 'node:stream'

/**
 * What one CLI run reads and writes outside its files: its environment and its standard streams. The bin runs with
 * the process's own; an in-process run (`runCli(args, { env, stdin, stdout, stderr })`) with its own, so nothing of
 * it reads `process.env` or writes to `process.stdout`.
 */
export interface CliIo {
  env: Record<string, string | undefined>
  stdin: Readable
  stdout: Writable
  stderr: Writable
}

/** The process's own environment and streams (getters: process.stdin is only created when it is read). */
const processIo: CliIo = {
  get env() {
    return process.env
  },
  get stdin() {
    return process.stdin
  },
  get stdout() {
    return process.stdout
  },
  get stderr() {
    return process.stderr
  },
}

const current = new AsyncLocalStorage<CliIo>()

/** The io of the run in progress (the process's own outside `withIo`). */
export function io(): CliIo {
  return current.getStore() ?? processIo
}

/** Runs `fn` with `given` as the io of everything it calls (async continuations included). */
export function withIo<T>(given: Partial<CliIo>, fn: () => T): T {
  const base = io()
  const merged: CliIo = {
    env: given.env ?? base.env,
    stdin: given.stdin ?? base.stdin,
    stdout: given.stdout ?? base.stdout,
    stderr: given.stderr ?? base.stderr,
  }
  return current.run(merged, fn)
}

/** True when `env` is not the process's own environment (an in-process run with its own). */
export function hasOwnEnv(): boolean {
  return io().env !== process.env
}

/** Whether the streams are the process's own: a child then inherits them (a TTY stays a TTY for an editor). */
function inheritsStreams(): boolean {
  const s = io()
  return s.stdin === process.stdin && s.stdout === process.stdout && s.stderr === process.stderr
}

/** The stdio of a child process: inherited from this process, or pipes connected by `connectChild`. */
export function childStdio(): StdioOptions {
  return inheritsStreams() ? 'inherit' : 'pipe'
}

/**
 * Connects a child spawned with `childStdio()` pipes to the run's streams: its output is copied to stdout/stderr, the
 * run's stdin is fed to it. Callers wait for the child's 'close' (all output copied), not only 'exit'.
 */
export function connectChild(child: ChildProcess): void {
  const s = io()
  child.stdout?.on('data', (d: Buffer) => s.stdout.write(d))
  child.stderr?.on('data', (d: Buffer) => s.stderr.write(d))
  if (child.stdin) {
    child.stdin.on('error', () => {}) // EPIPE: the child does not read its stdin
    s.stdin.pipe(child.stdin)
  }
}

/**
 * Runs `cmd` on the run's streams (`childStdio` + `connectChild`) and forwards `signals` to it while it runs.
 * Resolves with its exit code (128 + n when killed by signal n) once its output is copied; a failed start rejects.
 */
export function runForwarding(
  cmd: string,
  args: readonly string[],
  env: SpawnOptions['env'],
  signals: readonly NodeJS.Signals[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: childStdio(), env })
    connectChild(child)
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    for (const s of signals) process.on(s, forward)
    const done = () => {
      for (const s of signals) process.off(s, forward)
    }
    child.on('error', (e) => {
      done()
      reject(e)
    })
    child.on('close', (code, signal) => {
      done()
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0))
    })
  })
}
