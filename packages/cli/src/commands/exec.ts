import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { type SecretFormat, serializeSecret } from '@kms-secrets/core'
import { parseNamedFile } from '../util/args.js'
import { usageError } from '../util/errors.js'
import { type FifoServer, serveFifo } from '../util/fifo.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { createPrivateDir } from '../util/private-dir.js'
import { warn } from '../util/report.js'
import { openSecretFile } from '../util/secret.js'

export interface ExecOptions extends KmsFlags {
  envFiles: string[]
  /** `NAME=file` specs. */
  files: string[]
  command: string[]
}

const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'] as const

/** Top-level keys → env vars: strings as they are, numbers/booleans as text, null as "", objects/arrays as JSON. */
function toEnvVars(value: unknown, file: string, format: SecretFormat): Record<string, string> {
  if (format === 'text' || typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(
      `${file} is not an object of keys, so it cannot become environment variables.`,
      `Pass it as a file instead: --file NAME=${file}`,
    )
  }
  const vars: Record<string, string> = {}
  for (const [key, v] of Object.entries(value)) {
    if (key === '' || key.includes('=') || key.includes('\0')) {
      warn(`${file}: key "${key.slice(0, 64)}" cannot be an environment variable name; skipped`)
      continue
    }
    vars[key] = typeof v === 'string' ? v : v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
  return vars
}

/** Runs the child, forwards signals to it, resolves with its exit code (128 + n when killed by signal n). */
function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = command
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: 'inherit', env })
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    for (const s of forwardedSignals) process.on(s, forward)
    const done = () => {
      for (const s of forwardedSignals) process.off(s, forward)
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      done()
      reject(usageError(`Cannot run "${cmd}" (${e.code ?? 'error'}).`, 'Check the command after -- and your PATH.'))
    })
    child.on('exit', (code, signal) => {
      done()
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0))
    })
  })
}

/**
 * `kms-secrets exec`: decrypt in memory and run a program with the values as environment variables (`--env`) and/or
 * as files that exist only in memory (`--file NAME=path`: $NAME is the path of a FIFO in a private 0700 directory,
 * fed by this process each time the FIFO is opened). Exits with the child's code. Nothing is written to disk.
 */
export async function execCommand(opts: ExecOptions): Promise<number> {
  if (opts.command.length === 0)
    throw usageError('exec needs a command after --, e.g. kms-secrets exec --env db.secret.json -- node app.js')
  if (opts.envFiles.length === 0 && opts.files.length === 0)
    throw usageError('exec needs at least one --env <file> or --file NAME=<file>.')
  const named = opts.files.map(parseNamedFile)
  const providerFor = createProviderPool(opts)
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const file of opts.envFiles) {
    const { envelope, value } = await openSecretFile(file, providerFor)
    Object.assign(env, toEnvVars(value, file, envelope.format))
  }
  const contents: [string, Uint8Array][] = []
  let scratch: ReturnType<typeof createPrivateDir> | undefined
  const servers: FifoServer[] = []
  try {
    for (const [name, file] of named) {
      const { envelope, value } = await openSecretFile(file, providerFor)
      const text = envelope.format === 'text' ? String(value) : serializeSecret(value, envelope.format)
      contents.push([name, Buffer.from(text, 'utf8')])
    }
    // A FIFO holds no data on any file system, so a disk-backed tmpdir is acceptable when /dev/shm is missing.
    scratch = contents.length > 0 ? createPrivateDir('exec --file', true, false) : undefined
    for (const [name, bytes] of contents) {
      const server = serveFifo(path.join(scratch!.dir, name), bytes)
      servers.push(server)
      env[name] = server.path
    }
    return await runChild(opts.command, env)
  } finally {
    for (const s of servers) s.close()
    scratch?.remove()
    // Buffers not yet handed to a FIFO (a failure above) are wiped too; wiping served ones again is harmless.
    for (const [, bytes] of contents) bytes.fill(0)
  }
}
