import type { webcrypto } from 'node:crypto'
import {
  authError,
  commitInfo,
  commitLength,
  commitmentError,
  envelopeAad,
  equalConstantTime,
  isCommitted,
  keyLength as keyBytes,
  keyInfo,
  type SealedEnvelope,
  tagLength as tagBytes,
} from '@kms-secrets/core/open'
import { fromBase64 } from '../kms/tencent-decrypt.js'
import { nodeCrypto } from './node-crypto.js'
import { type NodeDataKey, openSealedNode, type SealedBytes } from './node-open.js'

/** WebCrypto's key type (globalThis.crypto on every host; only the type comes from node:crypto). */
type CryptoKey = webcrypto.CryptoKey

/**
 * One unwrapped data key, as NON-extractable WebCrypto keys: `aes` opens v1 values (AES-GCM under the data key
 * itself), `hkdf` is the base key of v2's key schedule (FORMAT.md §3.2). `keyId` is the CMK KMS reported for the blob.
 */
export interface WebDataKey {
  aes: CryptoKey
  hkdf: CryptoKey
  keyId: string
}

/** Where node:crypto exists (Node, Bun, Deno) a KeyObject opened synchronously, else WebCrypto keys (workerd). */
export type DataKeyHandle = NodeDataKey | WebDataKey

/**
 * Turns the plaintext data key from KMS Decrypt into a key held in native memory and zeroes the raw bytes at once:
 * a node:crypto secret KeyObject (createSecretKey copies the bytes), else NON-extractable WebCrypto keys (importKey
 * copies keyData synchronously, W3C WebCrypto importKey step 2, so the buffer can be wiped before the promises
 * settle). A blob that does not unwrap to 32 bytes is not one of our data keys (e.g. a direct blob moved into a
 * sealed envelope): null, and every envelope using it fails authentication.
 */
export async function importDataKey(raw: Uint8Array, keyId = ''): Promise<DataKeyHandle | null> {
  try {
    if (raw.length !== keyBytes) return null
    const node = nodeCrypto()
    if (node !== undefined) return { node, key: node.createSecretKey(raw), keyId }
    const aes = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt'])
    const hkdf = crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits', 'deriveKey'])
    raw.fill(0)
    return { aes: await aes, hkdf: await hkdf, keyId }
  } finally {
    raw.fill(0)
  }
}

/** Node's and Bun's Buffer decodes base64 natively; elsewhere core's strict atob decoder. */
const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer

/** Envelope fields were validated as strict base64 already; anything else opens nothing. */
function bytes(text: string | undefined): Uint8Array {
  if (NodeBuffer !== undefined && typeof text === 'string') return NodeBuffer.from(text, 'base64')
  return fromBase64(text) ?? new Uint8Array(0)
}

/**
 * v2: derive the commitment and compare it (constant time) BEFORE deriving the value's AES key, so a blob swapped for
 * another data key is refused whatever the ciphertext (ERR_ENVELOPE_COMMITMENT). The derived key is non-extractable.
 */
async function committedKey(handle: WebDataKey, env: SealedEnvelope, file: string): Promise<CryptoKey> {
  const salt = bytes(env.salt)
  const hkdf = (info: Uint8Array) => ({ name: 'HKDF', hash: 'SHA-256', salt, info })
  const derived = new Uint8Array(await crypto.subtle.deriveBits(hkdf(commitInfo), handle.hkdf, commitLength * 8))
  if (!equalConstantTime(derived, bytes(env.commit))) throw commitmentError(file)
  return crypto.subtle.deriveKey(hkdf(keyInfo), handle.hkdf, { name: 'AES-GCM', length: 256 }, false, ['decrypt'])
}

/**
 * Opens one value with the envelope's AAD: v1 under the data key, v2 after the key-commitment check under the
 * derived key. A failed tag → ERR_ENVELOPE_AUTH. The caller zeroes the result.
 */
export async function openSealed(handle: DataKeyHandle | null, env: SealedEnvelope, file: string): Promise<Uint8Array> {
  const iv = bytes(env.iv)
  const data = bytes(env.data)
  const tag = bytes(env.tag)
  if (handle === null || iv.length !== 12 || tag.length !== tagBytes) throw authError(file)
  if ('node' in handle) {
    const fields: SealedBytes = { iv, data, tag, salt: bytes(env.salt), commit: bytes(env.commit) }
    return openSealedNode(handle, env, fields, file)
  }
  const key = isCommitted(env) ? await committedKey(handle, env, file) : handle.aes
  // WebCrypto takes ciphertext‖tag as one buffer.
  const sealed = new Uint8Array(data.length + tag.length)
  sealed.set(data, 0)
  sealed.set(tag, data.length)
  try {
    const params = { name: 'AES-GCM', iv, additionalData: envelopeAad(env), tagLength: tagBytes * 8 }
    return new Uint8Array(await crypto.subtle.decrypt(params, key, sealed))
  } catch {
    throw authError(file)
  }
}
