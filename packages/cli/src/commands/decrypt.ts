import { type SecretFormat, serializeSecret } from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { assertSafeOutput, writePrivate, writeStdout } from '../util/fs.js'
import { extractPath } from '../util/json-path.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { warn } from '../util/report.js'
import { openSecretFile } from '../util/secret.js'

export interface DecryptOptions extends KmsFlags {
  file: string
  extract: string | undefined
  output: string | undefined
}

/** An extracted leaf prints bare (like `sops --extract`); an extracted subtree prints in the file's format. */
function renderExtract(value: unknown, format: SecretFormat): string {
  if (typeof value === 'string') return value.endsWith('\n') ? value : `${value}\n`
  if (typeof value !== 'object' || value === null) return `${String(value)}\n`
  const out =
    format === 'yaml' || (format === 'env' && !Array.isArray(value))
      ? serializeSecret(value, format)
      : `${JSON.stringify(value, null, 2)}\n`
  return out.endsWith('\n') ? out : `${out}\n`
}

/**
 * `kms-secrets decrypt`: to stdout in the file's own format. Plaintext goes to a file only with an explicit `-o`,
 * created 0600 and announced by a warning.
 */
export async function decryptCommand(opts: DecryptOptions): Promise<number> {
  if (!opts.file) throw usageError('decrypt needs a file.')
  /* Precondition: -o never replaces the sealed file with its own plaintext, by name or through a link. */
  if (opts.output !== undefined) await assertSafeOutput(opts.output, [opts.file])
  const { envelope, value } = await openSecretFile(opts.file, createProviderPool(opts))
  const text =
    opts.extract === undefined
      ? serializeSecret(value, envelope.format)
      : renderExtract(extractPath(value, opts.extract, opts.file), envelope.format)
  if (opts.output === undefined) {
    await writeStdout(text)
    return 0
  }
  await writePrivate(opts.output, text)
  warn(`wrote the PLAINTEXT of ${opts.file} to ${opts.output} (mode 0600). Delete it when done; never commit it.`)
  return 0
}
