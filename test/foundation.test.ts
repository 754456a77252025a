import { randomBytes } from 'node:crypto'
import {
  createTencentProvider,
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  openEnvelope,
  sealSecret,
} from '@kms-secrets/core'
import { expect, test } from 'vitest'
import { readAudit, sdkClient, useKms } from './utils/kms.js'

const kms = useKms()

test('the official SDK transport round-trips CreateKey → GenerateDataKey → seal → open against local-kms', async () => {
  const admin = kms.identities.admin
  const created = (await sdkClient(kms, admin).request('CreateKey', {
    Alias: `e2e-foundation-${randomBytes(4).toString('hex')}`,
    Description: 'e2e foundation round trip',
  })) as { KeyId: string; KeyState: string }
  expect(created.KeyState).toBe('Enabled')

  const provider = createTencentProvider({ endpoint: kms.endpoint, credential: admin, region: 'ap-guangzhou' })
  const value = { user: 'app', password: `canary-foundation-${randomBytes(6).toString('hex')}` }
  const payload = new TextEncoder().encode(JSON.stringify(value))
  const sealed = await sealSecret({
    provider,
    keyId: created.KeyId,
    id: 'db.secret.json',
    format: 'json',
    payload,
    context: { app: 'e2e' },
  })
  const text = encodeEnvelope(sealed)
  expect(text).not.toContain(value.password)
  expect(sealed.kms.keyId).toBe(created.KeyId)

  const opened = await openEnvelope(decodeEnvelope(text, 'db.secret.json'), { provider, expectedId: 'db.secret.json' })
  expect(decodePayload(opened, 'json')).toEqual(value)

  // The audit log saw exactly the calls the round trip needs (CreateKey may or may not name the new key).
  const calls = readAudit(kms).filter(
    (e) => e.keyId === created.KeyId && e.secretId === admin.secretId && e.action !== 'CreateKey',
  )
  expect(calls.map((e) => [e.action, e.code])).toEqual([
    ['GenerateDataKey', 'OK'],
    ['Decrypt', 'OK'],
  ])
})
