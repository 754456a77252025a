import 'server-only'
import { createHmac } from 'node:crypto'

/**
 * Test-only: the repository's e2e tests set KMS_EXAMPLE_PROOF_KEY (a random hex key per run) to check that the exact
 * values arrived, as `{ proof: { name: HMAC-SHA256(key, value) } }`. Unset, as in any real deployment, this is `{}`:
 * the app answers nothing derived from a secret (an unsalted hash of a password is a fingerprint anyone can
 * brute-force offline).
 */
export function proofOf(values: Record<string, string>): { proof?: Record<string, string> } {
  const hex = process.env.KMS_EXAMPLE_PROOF_KEY
  if (hex === undefined) return {}
  if (!/^(?:[0-9a-f]{2}){16,}$/i.test(hex)) {
    throw new Error('KMS_EXAMPLE_PROOF_KEY (test-only) must be at least 32 hex digits; unset it outside the tests.')
  }
  const key = Buffer.from(hex, 'hex')
  const hmac = (v: string) => createHmac('sha256', key).update(v).digest('hex')
  return { proof: Object.fromEntries(Object.entries(values).map(([name, v]) => [name, hmac(v)])) }
}
