import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { b64, createSdkClient } from './helpers/sdk.js'
import { admin } from './helpers/server.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()
const canary = 'AUDIT-CANARY-PLAINTEXT-4242'

async function auditLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(kms.server.dataDir, 'audit.log'), 'utf8')
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
}

describe('audit log', () => {
  it('writes one JSON line per call: time, requestId, secretId, action, keyId, code', async () => {
    const created = await kms.sdk.call('CreateKey', { Alias: 'audited' })
    const enc = await kms.sdk.call('Encrypt', { KeyId: 'alias/audited', Plaintext: b64(canary) })
    const dec = await kms.sdk.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob })
    const failed = await kms.sdk.fail('Encrypt', { KeyId: 'no-such-key', Plaintext: b64(canary) })
    const dk = await kms.sdk.call('GenerateDataKey', { KeyId: created.KeyId, KeySpec: 'AES_256' })
    const lines = await auditLines()
    const byId = (id: string) => lines.find((l) => l.requestId === id)
    expect(byId(created.RequestId)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      requestId: created.RequestId,
      secretId: admin.secretId,
      action: 'CreateKey',
      keyId: created.KeyId,
      code: 'OK',
    })
    expect(byId(enc.RequestId)).toMatchObject({ action: 'Encrypt', keyId: created.KeyId, code: 'OK' })
    expect(byId(dec.RequestId)).toMatchObject({ action: 'Decrypt', keyId: created.KeyId, code: 'OK' })
    expect(byId(failed.requestId)).toMatchObject({
      action: 'Encrypt',
      keyId: 'no-such-key',
      code: 'ResourceUnavailable.CmkNotFound',
    })
    const text = await readFile(join(kms.server.dataDir, 'audit.log'), 'utf8')
    for (const secret of [canary, b64(canary), dk.Plaintext, admin.secretKey, enc.CiphertextBlob]) {
      expect(text).not.toContain(secret)
    }
  })

  it('records unauthenticated and malformed calls too, without echoing junk', async () => {
    await kms.sdk.call('GenerateRandom', { NumberOfBytes: 4 })
    const before = (await auditLines()).length
    const bad = createSdkClient(kms.server.port, { secretId: 'AKIDNOBODY', secretKey: 'x' })
    await bad.fail('Decrypt', { CiphertextBlob: 'x' })
    bad.close()
    const lines = await auditLines()
    expect(lines).toHaveLength(before + 1)
    expect(lines.at(-1)).toMatchObject({
      secretId: 'AKIDNOBODY',
      action: 'Decrypt',
      keyId: null,
      code: 'AuthFailure.SecretIdNotFound',
    })
  })

  it('keeps every line whole under concurrent calls', async () => {
    const before = (await auditLines()).length
    await Promise.all(Array.from({ length: 50 }, () => kms.sdk.call('GenerateRandom', { NumberOfBytes: 8 })))
    const lines = await auditLines()
    expect(lines.length).toBe(before + 50)
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(lines.length)
  })
})
