import path from 'node:path'
import { type KmsProvider, type SecretFormat, serializeSecret } from '@kms-secrets/core'
import { parseNamedFile } from '../util/argv.js'
import { assertAllowedVars, type ChildVar, envNameRE, inheritedEnv } from '../util/child-env.js'
import { usageError } from '../util/errors.js'
import { type FifoServer, serveFifo } from '../util/fifo.js'
import { io, runForwarding } from '../util/io.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { createPrivateDir } from '../util/private-dir.js'
import { openSecretFile } from '../util/secret.js'

export interface ExecOptions extends KmsFlags {
  envFiles: string[]
  /** `NAME=file` specs. */
  files: string[]
  command: string[]
  /** Names a sealed file (or `--file NAME=`) may set although they are on the denylist. */
  allowVars: string[]
  /** Pass the operator's KMS credentials on to the child. */
  keepCredentials: boolean
}

const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'] as const

/**
 * Top-level keys → env vars: strings as they are, numbers/booleans as text, null as "", objects/arrays as JSON.
 * Names are checked by the caller (assertAllowedVars) before anything runs.
 */
function toEnvVars(value: unknown, file: string, format: SecretFormat): Record<string, string> {
  if (format === 'text' || typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(
      `${file} is not an object of keys, so it cannot become environment variables.`,
      `Pass it as a file instead: --file NAME=${file}`,
    )
  }
  // Null prototype: a "__proto__" key is then an ordinary name, checked like any other.
  const vars: Record<string, string> = Object.create(null)
  for (const [key, v] of Object.entries(value)) {
    vars[key] = typeof v === 'string' ? v : v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
  return vars
}

/* Precondition: every --allow-var is a valid environment variable name. */
function assertAllowVarNames(names: readonly string[]): void {
  const bad = names.find((n) => !envNameRE.test(n))
  if (bad !== undefined) {
    throw usageError(
      `--allow-var ${JSON.stringify(bad.slice(0, 64))} is not an environment variable name.`,
      'Pass one exact name per flag, e.g. --allow-var NODE_OPTIONS.',
    )
  }
}

/** Runs the child, forwards signals to it, resolves with its exit code (128 + n when killed by signal n). */
async function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = command
  try {
    return await runForwarding(cmd!, args, env, forwardedSignals)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error'
    throw usageError(`Cannot run "${cmd}" (${code}).`, 'Check the command after -- and your PATH.')
  }
}

/** The variables of every `--env` file (later files win), refused as a whole if any name is not allowed. */
async function readEnvFiles(
  files: readonly string[],
  providerFor: (region?: string) => KmsProvider,
  allowVars: readonly string[],
): Promise<Record<string, string>> {
  const vars: Record<string, string> = Object.create(null)
  const setBy: ChildVar[] = []
  for (const file of files) {
    const { envelope, value } = await openSecretFile(file, providerFor)
    const own = toEnvVars(value, file, envelope.format)
    for (const name of Object.keys(own)) setBy.push({ name, source: file })
    Object.assign(vars, own)
  }
  assertAllowedVars(setBy, allowVars)
  return vars
}

/**
 * `kms-secrets exec`: decrypt in memory and run a program with the values as environment variables (`--env`) and/or
 * as files that exist only in memory (`--file NAME=path`: $NAME is the path of a FIFO in a private 0700 directory,
 * fed by this process each time the FIFO is opened). Exits with the child's code. Nothing is written to disk.
 * The child does not inherit the operator's KMS credentials (unless `keepCredentials`), and no sealed file may set a
 * variable that changes how programs load or run (unless named in `allowVars`): see util/child-env.ts.
 */
export async function execCommand(opts: ExecOptions): Promise<number> {
  if (opts.command.length === 0)
    throw usageError('exec needs a command after --, e.g. kms-secrets exec --env db.secret.json -- node app.js')
  if (opts.envFiles.length === 0 && opts.files.length === 0)
    throw usageError('exec needs at least one --env <file> or --file NAME=<file>.')
  assertAllowVarNames(opts.allowVars)
  const named = opts.files.map(parseNamedFile)
  // Checked before any KMS call: these names are the operator's own flags.
  assertAllowedVars(
    named.map(([name, file]) => ({ name, source: `--file ${name}=${file}` })),
    opts.allowVars,
  )
  const providerFor = createProviderPool(opts)
  const env = {
    ...inheritedEnv(io().env, opts.keepCredentials),
    ...(await readEnvFiles(opts.envFiles, providerFor, opts.allowVars)),
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
