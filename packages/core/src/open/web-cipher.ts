import type { webcrypto } from 'node:crypto'
import { tagLength } from '../crypto/aead.js'
import { commitInfo, commitLength, keyInfo } from '../envelope/commitment.js'
import type { DerivedKey, OpenCipher, SealedBytes } from './rules.js'

type CryptoKey = webcrypto.CryptoKey

/**
 * A data key as NON-extractable WebCrypto keys: `aes` opens v1 values (AES-GCM under the data key itself) and is the
 * value key of a derived one; `hkdf` is the base key of v2's key schedule (FORMAT.md §3.2).
 */
export interface WebKey {
  aes: CryptoKey
  hkdf?: CryptoKey
}

/**
 * The WebCrypto primitive set (workerd, and any host without node:crypto): every answer is a promise. Keys are
 * non-extractable; importKey copies the raw bytes synchronously (W3C WebCrypto importKey step 2), so the rules may
 * wipe them before the promise settles.
 */
export function webCipher(subtle: webcrypto.SubtleCrypto = globalThis.crypto.subtle): OpenCipher<WebKey> {
  return {
    async importKey(raw) {
      const aes = subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt'])
      const hkdf = subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits', 'deriveKey'])
      return { aes: await aes, hkdf: await hkdf }
    },
    async deriveCommitted(key: WebKey, salt: Uint8Array): Promise<DerivedKey<WebKey>> {
      const base = key.hkdf
      if (base === undefined) throw new TypeError('not a data key')
      const hkdf = (info: Uint8Array) => ({ name: 'HKDF', hash: 'SHA-256', salt, info })
      const [commit, aes] = await Promise.all([
        subtle.deriveBits(hkdf(commitInfo), base, commitLength * 8),
        subtle.deriveKey(hkdf(keyInfo), base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']),
      ])
      return { key: { aes }, commit: new Uint8Array(commit) }
    },
    async decipher(key: WebKey, s: SealedBytes, aad: Uint8Array): Promise<Uint8Array> {
      // WebCrypto takes ciphertext‖tag as one buffer.
      const sealed = new Uint8Array(s.data.length + s.tag.length)
      sealed.set(s.data, 0)
      sealed.set(s.tag, s.data.length)
      const params = { name: 'AES-GCM', iv: s.iv, additionalData: aad, tagLength: tagLength * 8 }
      return new Uint8Array(await subtle.decrypt(params, key.aes, sealed))
    },
    release(): void {
      // Non-extractable keys hold no bytes in the JS heap; they become garbage.
    },
  }
}
