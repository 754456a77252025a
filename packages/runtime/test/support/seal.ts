import {
  createSealer,
  type DirectEnvelope,
  envelopeEncryptionContext,
  parseSecretFile,
  type SealedEnvelope,
  type SecretFormat,
  wrapBlob,
} from '@kms-secrets/core'
import type { FakeKms } from '@kms-secrets/testkit/fake-kms'

export const keyA = '11111111-2222-3333-4444-555555555555'
export const keyB = '66666666-7777-8888-9999-000000000000'
export const keyC = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'

/** Canary strings: tests assert none of them shows up in any error, log or inspect output. */
export const canary = {
  password: 'CANARY-pw-7f3a9c1e',
  token: 'CANARY-token-0b5d2e88',
  text: 'CANARY-text-91c4aa07',
}

export const sources: Record<SecretFormat, string> = {
  json: JSON.stringify({ host: 'db.internal', port: 5432, password: canary.password, tags: ['a', 'b'] }),
  yaml: `host: db.internal\nport: 5432\npassword: ${canary.password}\nnested:\n  token: ${canary.token}\n`,
  env: `HOST=db.internal\nPASSWORD=${canary.password}\nTOKEN=${canary.token}\n`,
  text: `-----BEGIN KEY-----\n${canary.text}\n-----END KEY-----\n`,
}

export const fileOf: Record<SecretFormat, string> = {
  json: 'db.secret.json',
  yaml: 'app.secret.yaml',
  env: 'api.secret.env',
  text: 'tls.secret.key',
}

/** Seals the same way the plugin does: parse the file, then seal with one sealer (one data key). */
export async function sealAll(
  kms: FakeKms,
  files: { id: string; format: SecretFormat; text: string }[],
  keyId = keyA,
  context: Record<string, string> = { app: 'api', env: 'test' },
): Promise<{ envelopes: SealedEnvelope[]; values: unknown[] }> {
  const sealer = createSealer({ provider: kms, keyId, context })
  const envelopes: SealedEnvelope[] = []
  const values: unknown[] = []
  for (const f of files) {
    const parsed = parseSecretFile(f.text, f.format, f.id)
    envelopes.push(await sealer.seal({ id: f.id, format: f.format, payload: parsed.payload, shape: parsed.shape }))
    values.push(parsed.value)
  }
  sealer.dispose()
  return { envelopes, values }
}

export async function sealOne(kms: FakeKms, format: SecretFormat, keyId = keyA): Promise<[SealedEnvelope, unknown]> {
  const { envelopes, values } = await sealAll(kms, [{ id: fileOf[format], format, text: sources[format] }], keyId)
  return [envelopes[0]!, values[0]]
}

/** A direct-mode envelope: the value itself wrapped by (fake) KMS Encrypt, as the console tool would. */
export function directEnvelope(kms: FakeKms, text: string, context: Record<string, string> = {}): DirectEnvelope {
  const env = wrapBlob({
    blob: 'placeholder',
    keyId: keyA,
    region: kms.region,
    id: 'token.secret.txt',
    format: 'text',
    context,
  })
  const blob = kms.wrap(keyA, new TextEncoder().encode(text), envelopeEncryptionContext(env))
  return { ...env, kms: { ...env.kms, blob } }
}
