import { hkdfSync } from 'node:crypto'
import { commitInfo, commitLength, keyInfo } from '../envelope/commitment.js'
import { keyLength } from './aead.js'

export interface CommittedKey {
  /** The value's AES-256-GCM key; the caller zeroes it after use. */
  key: Uint8Array
  /** The key commitment stored in (and compared with) the envelope's `commit`. */
  commit: Uint8Array
}

/**
 * v2 key schedule (FORMAT.md §3.2): key = HKDF-SHA256(ikm = data key, salt, info = keyInfo, 32 bytes),
 * commit = HKDF-SHA256(ikm = data key, salt, info = commitInfo, 32 bytes).
 */
export function deriveCommittedKey(dataKey: Uint8Array, salt: Uint8Array): CommittedKey {
  const key = new Uint8Array(hkdfSync('sha256', dataKey, salt, keyInfo, keyLength))
  const commit = new Uint8Array(hkdfSync('sha256', dataKey, salt, commitInfo, commitLength))
  return { key, commit }
}
