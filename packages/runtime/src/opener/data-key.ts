import {
  type DecryptResult,
  importDataKey as importWith,
  type KeyHandle,
  type NodeKey,
  nodeCipher,
  type OpenCipher,
  type WebKey,
  webCipher,
} from '@kms-secrets/core/open'
import { type NodeCrypto, nodeCrypto } from './node-crypto.js'

// The web build's constant (node-crypto.ts): used here, not imported, so that the default build drops webCipher.
declare const __KMS_SECRETS_WEB__: boolean | undefined
const web = typeof __KMS_SECRETS_WEB__ !== 'boolean' || __KMS_SECRETS_WEB__

/** A data key held natively: a node:crypto secret KeyObject, or non-extractable WebCrypto keys (workerd). */
export type DataKey = NodeKey | WebKey
export type { KeyHandle }

/**
 * The primitive set of this host for core's open rules (`runOpen`): node:crypto where it exists (Node, Bun, Deno:
 * synchronous HMAC-based HKDF and AES-GCM, no promise per value), else WebCrypto — in the web build only (in the
 * default build nodeCrypto() throws a typed error instead). Chosen when an opener is made.
 */
export function hostCipher(): OpenCipher<DataKey> {
  const node = nodeCrypto()
  return (web && node === undefined ? webCipher() : nodeCipher(node as NodeCrypto)) as OpenCipher<DataKey>
}

/**
 * Turns the plaintext data key from KMS Decrypt into a key held in native memory and zeroes the raw bytes at once
 * (core's `importDataKey`: createSecretKey and WebCrypto importKey copy them). A blob that does not unwrap to 32
 * bytes is not one of our data keys (e.g. a direct blob moved into a sealed envelope): `key: null`, and every
 * envelope using it fails authentication.
 */
export async function importDataKey(raw: Uint8Array, keyId = ''): Promise<KeyHandle<DataKey>> {
  const res: DecryptResult = { plaintext: raw, keyId }
  return importWith(hostCipher(), res)
}
