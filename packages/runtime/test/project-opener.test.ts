import { createProjectKey, type ProjectEnvelope, sealWithProjectKey } from '@kms-secrets/core'
import { createFakeKms as createCoreFakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
// Mode "project" is registered by its subpath, as generated code does for project-key envelopes.
import '../src/project.js'
import type { DecryptProvider } from '../src/kms/tencent-decrypt.js'

const cmks = {
  symmetric: 'sym-key-1',
  rsa: 'rsa-key-1',
  sm2: 'sm2-key-1',
} as const

function setup() {
  return createCoreFakeKms({
    keys: [cmks.symmetric],
    asymmetric: { [cmks.rsa]: 'ASYMMETRIC_DECRYPT_RSA_2048', [cmks.sm2]: 'ASYMMETRIC_DECRYPT_SM2' },
  })
}

async function sealFiles(keyId: string, n: number, context: Record<string, string> = {}) {
  const kms = setup()
  const key = await createProjectKey({ provider: kms, keyId, context })
  const envs: ProjectEnvelope[] = []
  for (let i = 0; i < n; i++) {
    const payload = new TextEncoder().encode(JSON.stringify({ n: i }))
    envs.push(await sealWithProjectKey(key, { id: `f${i}.secret.json`, format: 'json', payload }))
  }
  kms.calls.length = 0
  return { kms, key, envs }
}

describe.each(Object.entries(cmks))('mode project on a %s CMK', (kind, keyId) => {
  it('opens many files, sealed separately, with ONE KMS call (single-flight)', async () => {
    const { kms, envs } = await sealFiles(keyId, 6, { app: 'api' })
    const opener = createSecretOpener({ provider: kms })
    const values = await Promise.all(envs.map((e, i) => opener.open(e, { file: `f${i}.secret.json` })))
    expect(values).toEqual(envs.map((_, i) => ({ n: i })))
    const action = { symmetric: 'Decrypt', rsa: 'AsymmetricRsaDecrypt', sm2: 'AsymmetricSm2Decrypt' }[kind]
    expect(kms.calls.map((c) => c.action)).toEqual([action])
    await opener.open(envs[0]!, { file: 'again.secret.json' })
    expect(kms.calls).toHaveLength(1)
    expect(String(opener)).toBe('[KmsSecretsOpener 1 data key]')
  })

  it('Precondition: the KeyId KMS reports must equal kms.keyId (fail closed)', async () => {
    const { kms, envs } = await sealFiles(keyId, 1)
    const liar: DecryptProvider = {
      decrypt: async (r, o) => ({ ...(await kms.decrypt(r, o)), keyId: 'other' }),
      asymmetricRsaDecrypt: async (r, o) => ({ ...(await kms.asymmetricRsaDecrypt(r, o)), keyId: 'other' }),
      asymmetricSm2Decrypt: async (r, o) => ({ ...(await kms.asymmetricSm2Decrypt(r, o)), keyId: '' }),
    }
    const opener = createSecretOpener({ provider: liar })
    expect((await rejection(opener.open(envs[0]!, { file: 'a.secret.json' }))).code).toBe('ERR_ENVELOPE_KEY')
  })

  it('Precondition: KMS returned this project’s 32-byte private key (else ERR_ENVELOPE_COMMITMENT, still one call)', async () => {
    const { envs } = await sealFiles(keyId, 2)
    let calls = 0
    const answer = async () => {
      calls++
      return { keyId, plaintext: new Uint8Array(32).fill(9) }
    }
    const opener = createSecretOpener({
      provider: { decrypt: answer, asymmetricRsaDecrypt: answer, asymmetricSm2Decrypt: answer },
    })
    for (const [i, e] of envs.entries()) {
      expect((await rejection(opener.open(e, { file: `f${i}.secret.json` }))).code).toBe('ERR_ENVELOPE_COMMITMENT')
    }
    expect(calls).toBe(1)
  })
})

describe('mode project: provider capabilities', () => {
  it('Precondition: the provider implements the asymmetric decrypt the wrap needs (ERR_KMS_CONFIG)', async () => {
    const { kms, envs } = await sealFiles(cmks.sm2, 1)
    const opener = createSecretOpener({ provider: { decrypt: (r, o) => kms.decrypt(r, o) } })
    const e = await rejection(opener.open(envs[0]!, { file: 'a.secret.json' }))
    expect(e.code).toBe('ERR_KMS_CONFIG')
    expect(e.message).toContain('AsymmetricSm2Decrypt')
  })
})
