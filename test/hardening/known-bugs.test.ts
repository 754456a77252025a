/**
 * Bugs the hardening suite found in packages, each proven by the test that would fail today. Skipped (so CI stays
 * green) until the package is fixed; the reason is in the test name. Un-skip when the fix lands.
 */
import { decodeEnvelope } from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'

const valid = {
  kmsSecrets: 1,
  alg: 'AES-256-GCM',
  mode: 'envelope',
  id: 'db.secret.json',
  format: 'json',
  kms: { provider: 'tencent', region: 'ap-guangzhou', keyId: 'k-1', blob: 'YWJj-k-ZGVm-k-Z2hp' },
  context: { app: 'shop' },
  iv: 'AAAAAAAAAAAAAAAA',
  data: 'AAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
}

function messageOf(text: string): string {
  try {
    decodeEnvelope(text, 'db.secret.json')
  } catch (e) {
    return (e as Error).message
  }
  return ''
}

describe('core decodeEnvelope', () => {
  it.skip('BUG: quotes unknown / ill-typed field names verbatim and unbounded (100 KB name → 100 KB message)', () => {
    // local-kms's validate-params shows odd names as "(unprintable name)"; core should bound/sanitise the same way.
    const name = `sk-${'x'.repeat(100_000)}`
    const cases = [
      JSON.stringify({ ...valid, [name]: 1 }),
      JSON.stringify({ ...valid, kms: { ...valid.kms, [name]: 1 } }),
      JSON.stringify({ ...valid, context: { [name]: 1 } }),
    ]
    for (const text of cases) {
      const message = messageOf(text)
      expect(message).not.toBe('')
      expect(message.length).toBeLessThan(1000)
      expect(message).not.toContain('x'.repeat(64))
    }
  })
})
