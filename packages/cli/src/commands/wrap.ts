import { defaultTencentRegion, encodeEnvelope, wrapBlob } from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { readStdin, writeAtomic, writeStdout } from '../util/fs.js'
import { resolveRegion } from '../util/kms.js'
import { note, warn } from '../util/report.js'
import { defaultId, resolveFormat } from '../util/secret.js'

export interface WrapOptions {
  blob: string | undefined
  format: string | undefined
  keyId: string | undefined
  region: string | undefined
  id: string | undefined
  context: Record<string, string>
  output: string | undefined
}

/**
 * `kms-secrets wrap`: a bare KMS CiphertextBlob (from Encrypt, the console's online tool, `tccli kms Encrypt`) →
 * a direct-mode envelope. No KMS call, no plaintext. `--blob -` reads the blob from stdin.
 */
export async function wrapCommand(opts: WrapOptions): Promise<number> {
  if (opts.blob === undefined)
    throw usageError('wrap needs --blob <CiphertextBlob> (or --blob - to read it from stdin).')
  if (opts.format === undefined)
    throw usageError('wrap needs --format json|yaml|env|text: the format of the encrypted value.')
  const id = opts.id ?? (opts.output === undefined ? undefined : defaultId(opts.output))
  if (id === undefined)
    throw usageError('wrap needs --id <name> (e.g. db.secret.json) or -o <file> to name the secret.')
  const blob = (opts.blob === '-' ? await readStdin() : opts.blob).trim()
  if (!blob || /\s/.test(blob))
    throw usageError('The CiphertextBlob is empty or contains whitespace.', 'Pass the blob exactly as KMS returned it.')
  const env = wrapBlob({
    blob,
    ...(opts.keyId === undefined ? {} : { keyId: opts.keyId }),
    region: resolveRegion(opts) ?? defaultTencentRegion,
    id,
    format: resolveFormat(id, opts.format),
    context: opts.context,
  })
  if (Object.keys(opts.context).length === 0) {
    // KMS binds a direct blob only to the EncryptionContext it was made with: without one, nothing ties it to this
    // file, and a blob swapped in from another file opens to that file's value (SECURITY.md, known limits).
    warn(
      'this blob has no encryption context, so it is not bound to this file. Prefer `kms-secrets encrypt` (sealed ' +
        'envelope), or make the blob with an EncryptionContext and pass it here with --context k=v.',
    )
  }
  const text = encodeEnvelope(env)
  if (opts.output === undefined) await writeStdout(text)
  else {
    await writeAtomic(opts.output, text)
    note(`wrapped the blob as ${opts.output} (id ${id}, direct mode)`)
  }
  return 0
}
