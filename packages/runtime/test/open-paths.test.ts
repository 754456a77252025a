import { Buffer } from 'node:buffer'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { SealedEnvelope } from '@kms-secrets/core'
import { createFakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { useNodeCrypto } from '../src/opener/node-crypto.js'
import { sealOne } from './support/seal.js'

/**
 * The two open paths give the same answers: node:crypto (synchronous KeyObject + hkdfSync + createDecipheriv, on
 * Node, Bun and Deno) and WebCrypto (workerd, or a host without process.getBuiltinModule). data-key.test.ts and
 * vectors.test.ts run the node:crypto path; this file replays core's vectors and the tampering cases on both.
 */
const manifestPath = resolve(import.meta.dirname, '../../core/test/vectors/manifest.json')
const shared = existsSync(manifestPath) ? await import('../../core/test/support/vectors.js') : undefined
const loaded = shared?.loadVectors()
const entries = (loaded?.entries ?? []).filter((e) => e.expectedId === undefined && !e.text.includes('"project"'))

function flipBit(b64: string, bit: number): string {
  const bytes = Buffer.from(b64, 'base64')
  bytes[bit >> 3]! ^= 1 << (bit & 7)
  return bytes.toString('base64')
}

describe.each([
  ['node:crypto', true],
  ['WebCrypto', false],
])('open path: %s', (_name, node) => {
  beforeAll(() => useNodeCrypto(node))
  afterAll(() => useNodeCrypto(true))

  it.skipIf(loaded === undefined).each(entries.map((e) => [e.name, e] as const))('vector %s', async (_n, entry) => {
    let envelope: unknown
    try {
      envelope = JSON.parse(entry.text)
    } catch {
      return
    }
    const opener = createSecretOpener({ provider: shared!.vectorKms(loaded!.manifest), retry: { maxAttempts: 1 } })
    const open = opener.open(envelope as never, { file: entry.envelope })
    if ('error' in entry.expect) expect((await rejection(open)).code).toBe(entry.expect.error)
    else expect(await open).toEqual(entry.expect.value)
  })

  it('single-bit flips of iv, data, tag, salt and commit; another data key; AAD changes', async () => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ provider: kms })
    await expect(opener.open(env, { file: 'f' })).resolves.toEqual(value)
    for (const field of ['iv', 'data', 'tag', 'salt', 'commit'] as const) {
      const text = (env as SealedEnvelope)[field]!
      for (let bit = 0; bit < Buffer.from(text, 'base64').length * 8; bit += 5) {
        const code = field === 'salt' || field === 'commit' ? 'ERR_ENVELOPE_COMMITMENT' : 'ERR_ENVELOPE_AUTH'
        const err = await rejection(opener.open({ ...env, [field]: flipBit(text, bit) }, { file: 'f' }))
        expect(err.code).toBe(code)
      }
    }
    const [other] = await sealOne(kms, 'json')
    expect((await rejection(opener.open({ ...env, kms: other.kms }, { file: 'f' }))).code).toBe(
      'ERR_ENVELOPE_COMMITMENT',
    )
    for (const bad of [
      { ...env, id: 'x.secret.json' },
      { ...env, format: 'yaml' as const },
    ]) {
      expect((await rejection(opener.open(bad, { file: 'f' }))).code).toBe('ERR_ENVELOPE_AUTH')
    }
  })
})
