import * as nodeCrypto from 'node:crypto'
import { hkdfCommitted } from '../open/node-cipher.js'

export interface CommittedKey {
  /** The value's AES-256-GCM key; the caller zeroes it after use. */
  key: Uint8Array
  /** The key commitment stored in (and compared with) the envelope's `commit`. */
  commit: Uint8Array
}

/**
 * v2 key schedule (FORMAT.md §3.2): key = HKDF-SHA256(ikm = data key, salt, info = keyInfo, 32 bytes),
 * commit = HKDF-SHA256(ikm = data key, salt, info = commitInfo, 32 bytes) — the same function the open path uses
 * (one Extract, two Expands).
 */
export function deriveCommittedKey(dataKey: Uint8Array, salt: Uint8Array): CommittedKey {
  const derived = hkdfCommitted(nodeCrypto, dataKey, salt)
  const out = { key: new Uint8Array(derived.key), commit: new Uint8Array(derived.commit) }
  derived.key.fill(0)
  return out
}
