/**
 * Bugs the hardening suite found in packages, each proven by a test. An open bug's test is skipped (so CI stays green)
 * with the reason in its name ("BUG: …"); once the package is fixed the test is un-skipped and stays as a regression
 * test.
 */
import { decodeEnvelope } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { startTestKms } from '@kms-secrets/testkit/local-kms'
import { describe, expect, it } from 'vitest'
import { startFaultProxy } from './support/fault-proxy.js'
import { keyIdFor, newIdentity, providerFor } from './support/kms.js'
import { wellFormedEnvelope } from './support/mutate.js'

function messageOf(text: string): string {
  try {
    decodeEnvelope(text, 'db.secret.json')
  } catch (e) {
    return (e as Error).message
  }
  return ''
}

describe('core decodeEnvelope', () => {
  it('does not quote unknown / ill-typed field names verbatim or unbounded (was: 100 KB name → 100 KB message)', () => {
    // local-kms's validate-params shows odd names as "(unprintable name)"; core should bound/sanitise the same way.
    const name = `sk-${'x'.repeat(100_000)}`
    const cases = [
      JSON.stringify({ ...wellFormedEnvelope, [name]: 1 }),
      JSON.stringify({ ...wellFormedEnvelope, kms: { ...wellFormedEnvelope.kms, [name]: 1 } }),
      JSON.stringify({ ...wellFormedEnvelope, context: { [name]: 1 } }),
    ]
    for (const text of cases) {
      const message = messageOf(text)
      expect(message).not.toBe('')
      expect(message.length).toBeLessThan(1000)
      expect(message).not.toContain('x'.repeat(64))
    }
  })
})

describe('core Tencent transport (tencentcloud-sdk-nodejs-common → node-fetch 2.7)', () => {
  it('a Decrypt response cut short after its headers fails fast with ERR_KMS_NETWORK (was: hung until the per-attempt timeout)', async () => {
    const keyId = keyIdFor('bugcut')
    const admin = newIdentity('Admin')
    const kms = await startTestKms({ seed: { identities: [{ ...admin }], keys: [{ keyId, alias: 'hard-bug-cut' }] } })
    const proxy = await startFaultProxy(kms.port)
    try {
      const { ciphertextBlob } = await providerFor(kms.endpoint, admin).encrypt({
        keyId,
        plaintext: new Uint8Array([1]),
      })
      const env = { kmsSecrets: 1, alg: 'KMS', mode: 'direct', id: 'a.secret.txt', format: 'text', context: {} }
      const envelope = { ...env, kms: { provider: 'tencent', region: 'ap-guangzhou', keyId, blob: ciphertextBlob } }
      proxy.setMode(() => ({ kind: 'cut', bytes: (r) => r.indexOf('\r\n\r\n') + 10 }))
      const opener = createSecretOpener({
        provider: () => providerFor(proxy.endpoint, admin),
        retry: { maxAttempts: 1 },
      })
      const started = Date.now()
      const error = await opener.open(envelope as never, { file: 'a.secret.txt' }).catch((e: unknown) => e)
      // Today: ERR_KMS_TIMEOUT after 10 000 ms. Expected: ERR_KMS_NETWORK as soon as the socket closes.
      expect((error as { code?: string }).code).toBe('ERR_KMS_NETWORK')
      expect(Date.now() - started).toBeLessThan(2000)
    } finally {
      await proxy.close()
      await kms.dispose()
    }
  })
})
