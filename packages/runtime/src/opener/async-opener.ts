import {
  type AnyEnvelope,
  canonicalJson,
  type DecryptResult,
  type DirectEnvelope,
  decodePayload,
  type Envelope,
  encryptionContextFor,
  envelopeAad,
  importDataKey,
  type KeyHandle,
  type Opener,
  type ProjectEnvelope,
  projectUnsupportedError,
  runOpen,
  type SealedEnvelope,
  validateAnyEnvelope,
} from '@kms-secrets/core/open'
import type { RecipientKey } from '../project/hpke-receiver.js'
import { type DataKey, hostCipher } from './data-key.js'
import { fileOf, toOpenError, withoutSecretFrames } from './open-error.js'
import type { ResolvedOptions } from './options.js'
import { type ProjectMaterials, projectMode } from './project-mode.js'
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

/** Contexts and shapes memoized per opener (canonical JSON, EncryptionContext), at most this many of each. */
const maxMemo = 256

/** A bounded memo keyed by JSON text: for validated contexts and shapes (plain objects of strings), the same JSON
 * text is the same value, so it has the same canonical JSON and EncryptionContext. */
function memo<T>(compute: (value: unknown) => T): (value: unknown) => T {
  const byJson = new Map<string, T>()
  return (value) => {
    const json = JSON.stringify(value)
    let hit = byJson.get(json)
    if (hit === undefined) {
      hit = compute(value)
      if (byJson.size >= maxMemo) byJson.clear()
      byJson.set(json, hit)
    }
    return hit
  }
}

/** One open in progress: the opener's materials with this open's target (for the region and messages). */
type Call = Opener<DataKey, RecipientKey> & { target: DecryptTarget }

/**
 * The async open path with its own data-key cache (used on the main thread and inside the sync worker): core's open
 * rules (`runOpen`) with this host's primitive set and these materials.
 *
 * Cache: one entry per distinct `kms.blob`, holding a native key object (a node:crypto secret KeyObject, or on
 * workerd NON-extractable WebCrypto CryptoKeys), never key bytes in the JS heap. The raw data key from Decrypt is
 * zeroed as soon as it is imported (SECURITY.md §6 on what a KeyObject can and cannot hide). So "no plaintext data
 * keys in module-level caches" holds: a logged or serialised cache reveals nothing, and a JS heap snapshot holds no
 * key bytes. On node:crypto a value whose key is cached opens synchronously (no promise inside `runOpen`).
 */
export function createAsyncOpener(o: ResolvedOptions): AsyncOpener {
  const providers = createProviderSource(o)
  const cipher = hostCipher()
  // Sealed mode: blob → data key, kept for the life of the process. Direct mode: in-flight only (the value is
  // the Decrypt result itself; caching it would keep plaintext around).
  const keys = new SingleFlight<KeyHandle<DataKey>>(true)
  const direct = new SingleFlight<unknown>(false)
  // Mode "project" (when registered): one unwrap per project key, shared by every envelope sealed with it.
  let project: ProjectMaterials | undefined
  // What the rules compute from a context and a shape, once per distinct one: 100 files of a build share a context.
  // ec: mode "envelope"'s EncryptionContext (envelopeEncryptionContext), set on first use; a throw (ERR_CONTEXT_INVALID)
  // stores nothing.
  const contextOf = memo((context): { canonical: string; ec?: string } => ({ canonical: canonicalJson(context) }))
  const shapeOf = memo(canonicalJson)

  const decrypt = (env: Envelope, target: DecryptTarget, encryptionContext: string | undefined) => {
    const provider = providers.providerFor(target.region)
    const req = { ciphertextBlob: env.kms.blob, ...(encryptionContext === undefined ? {} : { encryptionContext }) }
    return decryptWithRetry(provider, req, o)
  }

  // The CMK KMS reported is kept with the cached key; the rules check it for EVERY envelope sharing the blob, so a
  // copy with an edited kms.keyId cannot ride on a key unwrapped for a genuine one.
  const materials: Omit<Call, 'target'> = {
    // The primitive set's own functions (they use no `this`): no wrapper call per value, and fewer bytes.
    importKey: cipher.importKey,
    deriveCommitted: cipher.deriveCommitted,
    decipher: cipher.decipher,
    release: cipher.release,
    dataKey(this: Call, env: SealedEnvelope, ec: string) {
      const blob = env.kms.blob
      const hit = keys.peek(blob)
      if (hit !== undefined) return hit
      return keys.run(blob, async () => importDataKey(cipher, await decrypt(env, this.target, ec))).promise
    },
    decrypt(this: Call, env: DirectEnvelope, ec: string | undefined): Promise<DecryptResult> {
      return decrypt(env, this.target, ec)
    },
    projectKey(this: Call, env: ProjectEnvelope) {
      const mode = projectMode()
      if (mode === undefined) throw projectUnsupportedError(this.target.file)
      project ??= mode(providers, o)
      return project.projectKey(env, this.target)
    },
    hpkeExport: (key, enc, info, exporterContext) => project!.hpkeExport(key, enc, info, exporterContext),
  }

  const openDirectMode = async (env: DirectEnvelope, call: Call) => {
    const flight = `${env.kms.blob}\n${JSON.stringify(env.context)}\n${env.format}\n${env.kms.keyId}`
    const { promise, joined } = direct.run(flight, async () =>
      decodeAndZero(await runOpen(env, call, { file: call.target.file, validated: true }), env.format),
    )
    const value = await promise
    // Two imports of the same blob must not share one mutable object.
    return joined ? structuredClone(value) : value
  }

  const open = async (envelope: AnyEnvelope, meta: OpenMeta): Promise<unknown> => {
    const file = fileOf(meta)
    const target: DecryptTarget = { file, keyId: '', region: '' }
    try {
      const env = validateAnyEnvelope(envelope, file)
      target.keyId = env.kms.keyId
      target.region = providers.regionFor(env.kms.region)
      const call = Object.create(materials) as Call
      call.target = target
      if (env.mode === 'direct') return await openDirectMode(env, call)
      const context = contextOf(env.context)
      const aad = envelopeAad(env, context.canonical, env.shape === undefined ? undefined : shapeOf(env.shape))
      // Mode "envelope": the KMS EncryptionContext of its context; project: the project materials compute theirs.
      if (env.mode === 'envelope' && context.ec === undefined) context.ec = encryptionContextFor(env.context)
      const encryptionContext = env.mode === 'envelope' ? context.ec : undefined
      const rules = { file, validated: true, aad, encryptionContext }
      const payload = runOpen(env, call, rules)
      return decodeAndZero(payload instanceof Uint8Array ? payload : await payload, env.format)
    } catch (e) {
      throw withoutSecretFrames(toOpenError(e, target))
    }
  }

  return {
    open,
    clear: () => {
      keys.clear()
      project?.clear()
    },
    get size() {
      return keys.size + (project?.size ?? 0)
    },
  }
}
