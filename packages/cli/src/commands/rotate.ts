import {
  type AnyEnvelope,
  type Envelope,
  encodeEnvelope,
  envelopeEncryptionContext,
  type KmsProvider,
  type ReEncryptResult,
} from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { writeAtomic, writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { note } from '../util/report.js'
import { readEnvelope } from '../util/secret.js'

export interface RotateOptions extends KmsFlags {
  files: string[]
  /** Destination CMK; unset → the envelope's CMK, re-wrapped to its current key version. */
  keyId: string | undefined
  json: boolean
}

interface RotateResult {
  file: string
  fromKeyId: string
  keyId: string
  changed: boolean
}

/**
 * Re-wraps one blob with KMS ReEncrypt: the data key (or, in direct mode, the value) never leaves KMS in clear.
 * Files sharing a blob (sealed in one call) are re-wrapped once and keep sharing it: still one Decrypt at runtime.
 */
function createReWrapper(providerFor: (region?: string) => KmsProvider, keyId: string | undefined) {
  const done = new Map<string, Promise<ReEncryptResult>>()
  return (env: Envelope): Promise<ReEncryptResult> => {
    const context = envelopeEncryptionContext(env)
    const cacheKey = JSON.stringify([env.kms.region, env.kms.blob, context ?? null])
    let pending = done.get(cacheKey)
    if (!pending) {
      pending = providerFor(env.kms.region).reEncrypt({
        ciphertextBlob: env.kms.blob,
        ...(keyId === undefined ? {} : { destinationKeyId: keyId }),
        ...(context === undefined ? {} : { sourceEncryptionContext: context, destinationEncryptionContext: context }),
      })
      done.set(cacheKey, pending)
    }
    return pending
  }
}

/** Plain `rotate` re-wraps data keys; a project envelope's key lives in kms-secrets.json (`rotate --project-key`). */
function dataKeyEnvelope(env: AnyEnvelope): Envelope {
  if (env.mode !== 'project') return env
  throw usageError(
    `${env.id} is sealed with a project key; its wrapping lives in kms-secrets.json.`,
    'Use `kms-secrets rotate --project-key` (new key pair) or `kms-secrets rotate --project-key --key-id <CMK>` (re-wrap).',
  )
}

/**
 * `kms-secrets rotate`: ReEncrypt each file's wrapped data key to the CMK's current version or to `--key-id`. The
 * values' ciphertext (iv/data/tag) is unchanged; only `kms.keyId` and `kms.blob` are rewritten. Every file is
 * re-wrapped before any is written.
 */
export async function rotateCommand(opts: RotateOptions): Promise<number> {
  if (opts.files.length === 0) throw usageError('rotate needs at least one sealed file.')
  const envs = (await Promise.all(opts.files.map(readEnvelope))).map(dataKeyEnvelope)
  const reWrap = createReWrapper(createProviderPool(opts), opts.keyId)
  const wrapped = await Promise.all(envs.map(reWrap))
  const results: RotateResult[] = []
  for (const [i, env] of envs.entries()) {
    const file = opts.files[i]!
    const res = wrapped[i]!
    const keyId = res.keyId || opts.keyId || env.kms.keyId
    const changed = res.ciphertextBlob !== env.kms.blob || keyId !== env.kms.keyId
    if (changed)
      await writeAtomic(file, encodeEnvelope({ ...env, kms: { ...env.kms, keyId, blob: res.ciphertextBlob } }))
    results.push({ file, fromKeyId: env.kms.keyId, keyId, changed })
  }
  if (opts.json) {
    await writeStdout(`${JSON.stringify({ files: results }, null, 2)}\n`)
    return 0
  }
  for (const r of results) {
    if (!r.changed) note(`${r.file}: already wrapped by the current version of ${r.keyId}`)
    else if (r.fromKeyId !== r.keyId) note(`${r.file}: re-wrapped from ${r.fromKeyId || '(unknown key)'} to ${r.keyId}`)
    else note(`${r.file}: re-wrapped to the current version of ${r.keyId}`)
  }
  return 0
}
