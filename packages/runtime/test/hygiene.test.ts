import { Buffer } from 'node:buffer'
import { inspect } from 'node:util'
import { createFakeKms, type FakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { canary, fileOf, sealAll, sealOne, sources } from './support/seal.js'
import { type HttpFault, useTencentServer } from './support/tencent-server.js'

/** Everything a leak could hide in: message, hint, stack, fields, cause chain, inspect and JSON forms. */
function render(x: unknown): string {
  const parts = [inspect(x, { depth: 20, showHidden: true, getters: true }), String(x)]
  try {
    parts.push(JSON.stringify(x, Object.getOwnPropertyNames(x ?? {})))
  } catch {
    // circular: inspect covers it
  }
  if (x instanceof Error) parts.push(x.stack ?? '', String((x as { hint?: string }).hint))
  return parts.join('\n')
}

/** Canary values, and every 10-character window of each data key's base64/hex (error snippets cut strings). */
function forbidden(kms: FakeKms): string[] {
  const keys = kms.issuedKeys.flatMap((k) => [Buffer.from(k).toString('base64'), Buffer.from(k).toString('hex')])
  const windows = keys.flatMap((k) => Array.from({ length: k.length - 9 }, (_, i) => k.slice(i, i + 10)))
  return [...Object.values(canary), ...windows]
}

function expectClean(text: string, kms: FakeKms): void {
  for (const s of forbidden(kms)) expect(text).not.toContain(s)
}

describe('runtime objects show nothing secret', () => {
  it('inspect / toString / JSON of an opener that holds data keys', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ provider: kms })
    await opener.open(env, { file: 'db.secret.json' })
    expect(inspect(opener)).toBe('[KmsSecretsOpener 1 data key]')
    expect(String(opener)).toBe('[KmsSecretsOpener 1 data key]')
    expect(JSON.stringify({ opener })).toBe('{"opener":"[KmsSecretsOpener 1 data key]"}')
    expectClean(render(opener), kms)
  })

  it('errors from tampering, KMS refusal and bad payloads carry no plaintext', async () => {
    const kms = createFakeKms()
    const { envelopes } = await sealAll(kms, [{ id: fileOf.yaml, format: 'yaml', text: sources.yaml }])
    const env = envelopes[0]!
    const opener = createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })
    await opener.open(env, { file: fileOf.yaml })
    const errors = await Promise.all([
      rejection(opener.open({ ...env, id: 'x' }, { file: 'a' })),
      rejection(opener.open({ ...env, format: 'text' }, { file: 'b' })),
      rejection(createSecretOpener({ provider: kms }).open({ ...env, context: {} }, { file: 'c' })),
    ])
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error)
      expectClean(render(e), kms)
    }
  })

  it('fuzz: mutated envelopes never open to a different value and never echo a value', async () => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })
    await opener.open(env, { file: 'db.secret.json' })
    const field = fc.constantFrom('iv', 'data', 'tag', 'id', 'format', 'context', 'kms', 'shape', 'alg', 'mode')
    await fc.assert(
      fc.asyncProperty(field, fc.jsonValue(), async (name, replacement) => {
        const bad = { ...env, [name]: replacement } as typeof env
        const result = await opener.open(bad, { file: 'db.secret.json' }).then(
          (v) => ({ v }),
          (e: unknown) => ({ e }),
        )
        if ('v' in result) expect(result.v).toEqual(value)
        else {
          expect((result.e as { code?: string }).code).toMatch(/^ERR_/)
          expectClean(render(result.e), kms)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('hostile KMS responses through the real Tencent provider', () => {
  const t = useTencentServer()

  const faults: HttpFault[] = [
    'truncated-plaintext',
    'unquoted-plaintext',
    'http-502-with-body',
    'error-echoing-request',
    'drop-connection',
  ]
  it.each(faults)('%s → typed error without the data key, the value or the request body', async (fault) => {
    const [env] = await sealOne(t.kms, 'json')
    t.server.httpFaults.push(fault)
    const opener = createSecretOpener({ endpoint: t.server.endpoint, retry: { maxAttempts: 1 } })
    const err = await rejection(opener.open(env, { file: 'db.secret.json' }))
    expect(err.code).toMatch(/^ERR_KMS_/)
    expect(err.file).toBe('db.secret.json')
    expectClean(render(err), t.kms)
    // The SDK attaches no request body to its errors; only a server that quotes it puts it in the message.
    if (fault !== 'error-echoing-request') expect(render(err)).not.toContain(env.kms.blob)
    // The retry path recovers once the fault is gone.
    await expect(createSecretOpener({ endpoint: t.server.endpoint }).open(env, { file: 'f' })).resolves.toBeTruthy()
  })
})
