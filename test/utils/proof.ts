import { createHmac, randomBytes } from 'node:crypto'

/**
 * The examples answer nothing derived from a secret value, except under `KMS_EXAMPLE_PROOF_KEY` (test-only): then
 * they add `proof: { <name>: HMAC-SHA256(key, value) }`, which a test recomputes from the plaintext files. The key is
 * random per run, so an answer proves the exact values arrived and, unlike a plain hash, offers nothing to brute-force.
 */
export const newProofKey = (): string => randomBytes(32).toString('hex')

/** What an example puts under `proof` for these values (name → plaintext), computed here from the plaintext. */
export function expectedProof(key: string, values: Record<string, string>): Record<string, string> {
  const k = Buffer.from(key, 'hex')
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => [name, createHmac('sha256', k).update(v).digest('hex')]),
  )
}

const hashNameRE = /sha|hmac|hash|digest|fingerprint|proof/i
const hexValueRE = /^[0-9a-f]{12,}$/i

/** Paths of the fields of a JSON answer that look like a hash of something, by name or by a hex value: a test expects none. */
export function hashLikeFields(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') return hexValueRE.test(value) ? [path] : []
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [
    ...(hashNameRE.test(k) ? [`${path}.${k}`] : []),
    ...hashLikeFields(v, `${path}.${k}`),
  ])
}
