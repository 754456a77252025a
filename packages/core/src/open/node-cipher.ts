import type * as NodeCryptoModule from 'node:crypto'
import { tagLength } from '../crypto/aead.js'
import { commitInfo, keyInfo } from '../envelope/commitment.js'
import type { DerivedKey, OpenCipher, SealedBytes } from './rules.js'

/** What the node:crypto primitive set uses (Node, Bun, Deno); passed in, so nothing here imports `node:crypto`. */
export type NodeCryptoPrimitives = Pick<typeof NodeCryptoModule, 'createDecipheriv' | 'createHmac' | 'createSecretKey'>

/** A data key as a secret KeyObject (native memory), or a derived value key as bytes (zeroed on release). */
export type NodeKey = NodeCryptoModule.KeyObject | Uint8Array

const one = new Uint8Array([1])

/**
 * HKDF-SHA256 (RFC 5869) of the v2 key schedule with ONE Extract shared by its two Expands: PRK = HMAC(salt, ikm),
 * then for L = 32 = HashLen, Expand is the single block T(1) = HMAC(PRK, info ‖ 0x01). Byte-identical to two
 * `hkdfSync('sha256', ikm, salt, info, 32)` calls (test/open-rules.test.ts, fast-check), at a third of their cost
 * (each hkdfSync makes its own Extract and its own EVP context). The caller zeroes `ikm`; PRK is zeroed here.
 */
export function hkdfCommitted(
  node: Pick<NodeCryptoPrimitives, 'createHmac'>,
  ikm: Uint8Array,
  salt: Uint8Array,
): { key: Uint8Array; commit: Uint8Array } {
  const prk = node.createHmac('sha256', salt).update(ikm).digest()
  try {
    const commit = node.createHmac('sha256', prk).update(commitInfo).update(one).digest()
    const key = node.createHmac('sha256', prk).update(keyInfo).update(one).digest()
    return { key, commit }
  } finally {
    prk.fill(0)
  }
}

/**
 * The synchronous node:crypto primitive set: every answer is a plain value, so `runOpen` completes without a
 * promise. Data keys are secret KeyObjects (their bytes leave native memory only for the Extract, zeroed at once).
 */
export function nodeCipher(node: NodeCryptoPrimitives): OpenCipher<NodeKey> {
  return {
    importKey: (raw) => node.createSecretKey(raw),
    deriveCommitted(key: NodeKey, salt: Uint8Array): DerivedKey<NodeKey> {
      const ikm = key instanceof Uint8Array ? key : key.export()
      try {
        return hkdfCommitted(node, ikm, salt)
      } finally {
        if (ikm !== key) ikm.fill(0)
      }
    },
    decipher(key: NodeKey, s: SealedBytes, aad: Uint8Array): Uint8Array {
      const decipher = node.createDecipheriv('aes-256-gcm', key, s.iv, { authTagLength: tagLength })
      decipher.setAAD(aad)
      decipher.setAuthTag(s.tag)
      const out = decipher.update(s.data)
      try {
        decipher.final()
      } catch (e) {
        // Unauthenticated output is wiped before the failure is reported.
        out.fill(0)
        throw e
      }
      return new Uint8Array(out.buffer, out.byteOffset, out.length)
    },
    release(key: NodeKey): void {
      if (key instanceof Uint8Array) key.fill(0)
    },
  }
}
