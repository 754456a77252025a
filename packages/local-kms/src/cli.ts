import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type FaultKind, faultKinds } from './server/faults.js'
import { isLocalKmsError } from './server/local-kms-error.js'
import type { LocalKmsOptions } from './server/options.js'
import { startLocalKms } from './server/start.js'
import { defaultDataDir } from './storage/data-dir-location.js'

const usage = `Usage: local-kms [options]

A local KMS server speaking Tencent Cloud KMS API 3.0 (TC3-HMAC-SHA256), for development and tests.

Options:
  --host <host>            interface to bind (default 127.0.0.1)
  --port <port>            port, 0 = any free port (default 4599)
  --data-dir <dir>         keys, identities and audit.log; keep it outside your project
                           (default: per-user state dir, e.g. ~/.local/state/kms-secrets/local-kms)
  --print-data-dir         print the data dir in use (with these options) and exit
  --seed <file.json>       identities and keys to create, applied on every start
  --latency-ms <n>         add n ms of latency to every request
  --fault-rate <0..1>      answer this fraction of requests with a random fault
  --fault-kinds <list>     faults to pick from (${faultKinds.join(',')});
                           default RequestLimitExceeded,InternalError,http503,drop
  --fault-actions <list>   only inject faults into these actions, e.g. Decrypt,GenerateDataKey
  --throttle-qps <n>       token bucket over all callers; excess gets RequestLimitExceeded
  --random-seed <n>        seed of the fault RNG (reproducible runs)
  --quiet                  print only the listening line (and warnings)
  -h, --help               show this help

Prints "local-kms listening on http://<host>:<port>" on stdout when ready. SIGINT/SIGTERM stop it.
`

class UsageError extends Error {}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number`)
  return n
}

function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
}

type Command = { run: 'help' } | { run: 'print-data-dir'; dataDir: string } | { run: 'serve'; options: LocalKmsOptions }

/** argv → what to do; throws UsageError on a bad flag, LocalKmsError when there is no default data dir. */
function parseCliArgs(argv: string[]): Command {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      'fault-actions': { type: 'string' },
      'throttle-qps': { type: 'string' },
      'random-seed': { type: 'string' },
      quiet: { type: 'boolean' },
      'print-data-dir': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return { run: 'help' }
  const kinds = listFlag(values['fault-kinds'])
  if (kinds?.some((k) => !faultKinds.includes(k as FaultKind))) {
    throw new UsageError(`--fault-kinds must list only ${faultKinds.join(', ')}`)
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir())
  if (values['print-data-dir']) return { run: 'print-data-dir', dataDir }
  const options: LocalKmsOptions = {
    host: values.host ?? '127.0.0.1',
    port: numberFlag('port', values.port) ?? 4599,
    dataDir,
    seed: values.seed,
    latencyMs: numberFlag('latency-ms', values['latency-ms']),
    faultRate: numberFlag('fault-rate', values['fault-rate']),
    faultKinds: kinds as FaultKind[] | undefined,
    faultActions: listFlag(values['fault-actions']),
    throttleQps: numberFlag('throttle-qps', values['throttle-qps']),
    randomSeed: numberFlag('random-seed', values['random-seed']),
    quiet: values.quiet ?? false,
  }
  return { run: 'serve', options }
}

function fail(message: string, hint: string | undefined, exitCode: number): never {
  process.stderr.write(`local-kms: ${message}\n${hint ? `  ${hint}\n` : ''}`)
  process.exit(exitCode)
}

async function main(argv: string[]): Promise<void> {
  let command: Command
  try {
    command = parseCliArgs(argv)
  } catch (error) {
    if (isLocalKmsError(error)) fail(error.message, error.hint, 2)
    fail((error as Error).message, 'Run local-kms --help for the options.', 2)
  }
  if (command.run === 'help') {
    process.stdout.write(usage)
    return
  }
  if (command.run === 'print-data-dir') {
    process.stdout.write(`${command.dataDir}\n`)
    return
  }
  const { options } = command
  const kms = await startLocalKms(options).catch((error: unknown) => {
    if (isLocalKmsError(error)) fail(error.message, error.hint, error.code === 'ERR_LOCAL_KMS_OPTIONS' ? 2 : 1)
    fail(`could not start: ${(error as Error).message}`, undefined, 1)
  })
  const stop = (): void => {
    kms.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  // Before the listening line: a caller may signal as soon as it reads it.
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const shown = kms.host.includes(':') ? `[${kms.host}]` : kms.host
  process.stdout.write(`local-kms listening on http://${shown}:${kms.port}\n`)
  if (!options.quiet) process.stderr.write(`local-kms: data dir ${kms.dataDir}\n`)
}

await main(process.argv.slice(2))
