import { createHash } from 'node:crypto'

/** What the app shows of a secret: its length and a short hash, never the value. */
export function fingerprint(value: string): { length: number; sha256: string } {
  return { length: value.length, sha256: createHash('sha256').update(value).digest('hex').slice(0, 12) }
}
