import { describe, expect, it } from 'vitest'
import { createFakeKms, rejection } from '../src/fake-kms.js'

const ctx = '{"file":"db","kms-secrets":"1"}'
const bytes = (n: number) => new Uint8Array(n)

describe('the fake KMS checks its inputs like Tencent', () => {
  const strict = createFakeKms({ disabled: ['fake-key-2'], asymmetric: { rsa: 'ASYMMETRIC_DECRYPT_RSA_2048' } })
  it.each([
    ['an unknown CMK', { keyId: 'nope' }, 'ERR_KMS_KEY_NOT_FOUND'],
    ['a disabled CMK', { keyId: 'fake-key-2' }, 'ERR_KMS_KEY_DISABLED'],
    ['a context that is not JSON', { keyId: 'fake-key-1', encryptionContext: 'a=b' }, 'ERR_KMS_INVALID_PARAMETER'],
    ['a context with a number', { keyId: 'fake-key-1', encryptionContext: '{"a":1}' }, 'ERR_KMS_INVALID_PARAMETER'],
    [
      'a context over 1024 chars',
      { keyId: 'fake-key-1', encryptionContext: `{"a":"${'x'.repeat(1020)}"}` },
      'ERR_KMS_INVALID_PARAMETER',
    ],
    ['an asymmetric CMK', { keyId: 'rsa' }, 'ERR_KMS_INVALID_PARAMETER'],
  ])('GenerateDataKey refuses %s', async (_, req, code) => {
    expect((await rejection(strict.generateDataKey(req))).code).toBe(code)
  })

  it('canonical mode requires the sorted kms-secrets context', async () => {
    const kms = createFakeKms({ context: 'canonical' })
    for (const encryptionContext of [undefined, '{"kms-secrets":"1","a":"b"}', '{"a":"b"}'])
      expect((await rejection(kms.generateDataKey({ keyId: 'fake-key-1', encryptionContext }))).code).toBe(
        'ERR_KMS_INVALID_PARAMETER',
      )
    await expect(kms.generateDataKey({ keyId: 'fake-key-1', encryptionContext: ctx })).resolves.toBeDefined()
  })

  it('Encrypt refuses more than 4 KB', async () => {
    const kms = createFakeKms()
    const e = await rejection(kms.encrypt({ keyId: 'fake-key-1', plaintext: bytes(4097) }))
    expect(e.code).toBe('ERR_KMS_INVALID_PARAMETER')
  })

  it('Decrypt needs the exact context, the same fake (CMKs) and an untouched blob', async () => {
    const kms = createFakeKms()
    const { ciphertextBlob, plaintext } = await kms.generateDataKey({ keyId: 'fake-key-1', encryptionContext: ctx })
    expect((await kms.decrypt({ ciphertextBlob, encryptionContext: ctx })).plaintext).toEqual(plaintext)
    const other = createFakeKms()
    const tampered = `${ciphertextBlob.slice(0, -3)}A${ciphertextBlob.slice(-2)}`
    for (const [fake, blob, c] of [
      [kms, ciphertextBlob, '{"file":"api","kms-secrets":"1"}'],
      [other, ciphertextBlob, ctx],
      [kms, tampered, ctx],
      [kms, 'not-a-blob', ctx],
    ] as const)
      expect((await rejection(fake.decrypt({ ciphertextBlob: blob, encryptionContext: c }))).code).toBe(
        'ERR_KMS_INVALID_CIPHERTEXT',
      )
    expect(kms.decrypts).toHaveLength(4)
  })

  it('a fixed seed reproduces every byte; faults are consumed one per Decrypt', async () => {
    const [a, b] = [createFakeKms({ seed: 's' }), createFakeKms({ seed: 's' })]
    const [ka, kb] = await Promise.all([a, b].map((k) => k.generateDataKey({ keyId: 'fake-key-1' })))
    expect(ka).toEqual(kb)
    a.faults.push('throttle')
    expect((await rejection(a.decrypt({ ciphertextBlob: ka!.ciphertextBlob }))).code).toBe('ERR_KMS_THROTTLED')
    await expect(a.decrypt({ ciphertextBlob: ka!.ciphertextBlob })).resolves.toMatchObject({ keyId: 'fake-key-1' })
    expect(a.count('Decrypt')).toBe(2)
  })
})
