import { createTencentProvider, sealSecret } from '@kms-secrets/core'
import { describe, expect, test } from 'vitest'
import { sdkClient, useKms } from './utils/kms.js'

const kms = useKms()
const plaintext = Buffer.from('canary-permissions-value').toString('base64')

async function kmsCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (e) {
    return (e as { code?: string }).code
  }
  return 'succeeded'
}

describe('least privilege: the runtime identity may only Decrypt, the build identity may not Decrypt', () => {
  const keyId = kms.keyIds.sealed

  test('runtime identity: Encrypt and GenerateDataKey are AuthFailure.UnauthorizedOperation (SDK CommonClient)', async () => {
    const client = sdkClient(kms, kms.identities.runtime)
    expect(await kmsCode(client.request('Encrypt', { KeyId: keyId, Plaintext: plaintext }))).toBe(
      'AuthFailure.UnauthorizedOperation',
    )
    expect(await kmsCode(client.request('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }))).toBe(
      'AuthFailure.UnauthorizedOperation',
    )
  })

  test('build identity: Encrypt works, Decrypt of its own ciphertext is refused', async () => {
    const client = sdkClient(kms, kms.identities.build)
    const { CiphertextBlob } = (await client.request('Encrypt', { KeyId: keyId, Plaintext: plaintext })) as {
      CiphertextBlob: string
    }
    expect(await kmsCode(client.request('Decrypt', { CiphertextBlob }))).toBe('AuthFailure.UnauthorizedOperation')
    const runtime = sdkClient(kms, kms.identities.runtime)
    expect(await runtime.request('Decrypt', { CiphertextBlob })).toMatchObject({ Plaintext: plaintext, KeyId: keyId })
  })

  test('runtime identity cannot open what was sealed under a key it was not granted', async () => {
    const admin = createTencentProvider({ endpoint: kms.endpoint, credential: kms.identities.admin })
    const sealed = await sealSecret({
      provider: admin,
      keyId: kms.keyIds.forbidden,
      id: 'x.secret.txt',
      format: 'text',
      payload: new TextEncoder().encode('canary-forbidden-value'),
    })
    const client = sdkClient(kms, kms.identities.runtime)
    expect(await kmsCode(client.request('Decrypt', { CiphertextBlob: sealed.kms.blob }))).toBe(
      'AuthFailure.UnauthorizedOperation',
    )
  })

  test("core's provider maps the refusal to ERR_KMS_UNAUTHORIZED and keeps Tencent's code and RequestId", async () => {
    const runtime = createTencentProvider({ endpoint: kms.endpoint, credential: kms.identities.runtime })
    const error = await runtime
      .encrypt({ keyId, plaintext: new TextEncoder().encode('canary-permissions-value') })
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; kmsCode?: string; requestId?: string; message: string },
      )
    expect(error).toMatchObject({ code: 'ERR_KMS_UNAUTHORIZED', kmsCode: 'AuthFailure.UnauthorizedOperation' })
    expect(error?.requestId).toMatch(/\S/)
    expect(error?.message).not.toContain('canary-permissions-value')
  })
})
