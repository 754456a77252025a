import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import process from 'node:process'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { io, runForwarding } from '../util/io.js'

const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** The path of `@kms-secrets/local-kms`'s bin, resolved from this package's dependencies. */
function localKmsBin(): string {
  try {
    const require = createRequire(import.meta.url)
    const pkgFile = require.resolve('@kms-secrets/local-kms/package.json')
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> }
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['local-kms']
    if (!bin) throw new Error('no bin')
    return path.resolve(path.dirname(pkgFile), bin)
  } catch (cause) {
    throw new KmsSecretsError('ERR_CLI_IO', 'Cannot find the local-kms server (package @kms-secrets/local-kms).', {
      hint: 'Reinstall @kms-secrets/cli, or run `npx @kms-secrets/local-kms` directly.',
      cause,
    })
  }
}

/**
 * `kms-secrets local-kms …`: runs the `local-kms` bin with exactly the given arguments (so the flags are the same by
 * construction: --host --port --data-dir --seed, --print-data-dir, --help), forwards signals and exits with its code.
 * Without --data-dir the bin keeps its data in the per-user state dir, never inside the project a dev server serves.
 */
export function localKmsCommand(args: string[]): Promise<number> {
  return runForwarding(process.execPath, [localKmsBin(), ...args], io().env, forwardedSignals)
}
