import {
  type AnyEnvelope,
  checkReportedKeyId,
  type DirectEnvelope,
  decodePayload,
  type Envelope,
  envelopeEncryptionContext,
  type SealedEnvelope,
  validateAnyEnvelope,
} from '@kms-secrets/core/open'
import { createProjectOpener } from '../project/project-opener.js'
import { type DataKeyHandle, importDataKey, openSealed } from './data-key.js'
import { toOpenError } from './open-error.js'
import type { ResolvedOptions } from './options.js'
import { createProviderSource } from './providers.js'
import { type DecryptTarget, decryptWithRetry } from './retry.js'
import { SingleFlight } from './single-flight.js'

/** What generated code passes besides the envelope: the importing module's id, used in messages only. */
export interface OpenMeta {
  file: string
}

export interface AsyncOpener {
  open(envelope: AnyEnvelope, meta: OpenMeta): Promise<unknown>
  /** Forgets every cached data key (the CryptoKey handles become garbage). */
  clear(): void
  /** Number of data keys held. */
  readonly size: number
}

/** Decodes an opened payload and wipes the bytes, whatever happens. */
function decodeAndZero(payload: Uint8Array, format: Envelope['format']): unknown {
  try {
    return decodePayload(payload, format)
  } finally {
    payload.fill(0)
  }
}

/**
 * The async open path with its own data-key cache (used on the main thread and inside the sync worker).
 *
 * Cache: one entry per distinct `kms.blob`, holding a native key object (a node:crypto secret KeyObject, or on
 * workerd NON-extractable WebCrypto CryptoKeys), never key bytes in the JS heap. The raw data key from Decrypt is
 * zeroed as soon as it is imported (data-key.ts; SECURITY.md §6 on what a KeyObject can and cannot hide). So "no
 * plaintext data keys in module-level caches" holds: a logged or serialised cache reveals nothing, and a JS heap
 * snapshot holds no key bytes.
 */
export function createAsyncOpener(o: ResolvedOptions): AsyncOpener {
  const providers = createProviderSource(o)
  // Sealed mode: blob → data key, kept for the life of the process. Direct mode: in-flight only (the value is
  // the Decrypt result itself; caching it would keep plaintext around).
  const keys = new SingleFlight<DataKeyHandle | null>(true)
  const direct = new SingleFlight<unknown>(false)
  // Mode "project": one unwrap per project key, shared by every envelope sealed with it (FORMAT.md §10.4).
  const project = createProjectOpener(providers, o)

  const decrypt = async (env: Envelope, target: DecryptTarget, encryptionContext: string | undefined) => {
    const provider = providers.providerFor(target.region)
    const req = { ciphertextBlob: env.kms.blob, ...(encryptionContext === undefined ? {} : { encryptionContext }) }
    return decryptWithRetry(provider, req, o)
  }

  // The CMK KMS reported is kept with the cached key and checked for EVERY envelope sharing the blob, so a copy with
  // an edited kms.keyId cannot ride on a key unwrapped for a genuine one.
  const openEnvelopeMode = async (env: SealedEnvelope, target: DecryptTarget, ctx: string | undefined) => {
    const { promise } = keys.run(env.kms.blob, async () => {
      const res = await decrypt(env, target, ctx)
      return importDataKey(res.plaintext, res.keyId)
    })
    const handle = await promise
    if (handle !== null) checkReportedKeyId(env, handle.keyId, target.file)
    return decodeAndZero(await openSealed(handle, env, target.file), env.format)
  }

  const openDirectMode = async (env: DirectEnvelope, target: DecryptTarget, ctx: string | undefined) => {
    const flight = `${env.kms.blob}\n${ctx ?? ''}\n${env.format}\n${env.kms.keyId}`
    const { promise, joined } = direct.run(flight, async () => {
      const res = await decrypt(env, target, ctx)
      try {
        checkReportedKeyId(env, res.keyId, target.file)
      } catch (e) {
        res.plaintext.fill(0)
        throw e
      }
      return decodeAndZero(res.plaintext, env.format)
    })
    const value = await promise
    // Two imports of the same blob must not share one mutable object.
    return joined ? structuredClone(value) : value
  }

  const open = async (envelope: AnyEnvelope, meta: OpenMeta): Promise<unknown> => {
    const file = typeof meta?.file === 'string' && meta.file !== '' ? meta.file : 'an imported secret'
    const target: DecryptTarget = { file, keyId: '', region: '' }
    try {
      const env = validateAnyEnvelope(envelope, file)
      target.keyId = env.kms.keyId
      target.region = providers.regionFor(env.kms.region)
      if (env.mode === 'project') return decodeAndZero(await project.open(env, target), env.format)
      const ctx = envelopeEncryptionContext(env)
      if (env.mode === 'envelope') return await openEnvelopeMode(env, target, ctx)
      return await openDirectMode(env, target, ctx)
    } catch (e) {
      throw toOpenError(e, target)
    }
  }

  return {
    open,
    clear: () => {
      keys.clear()
      project.clear()
    },
    get size() {
      return keys.size + project.size
    },
  }
}
