import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSealer, openEnvelope, parseSecretFile, wrapBlob } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { newCanary } from '@kms-secrets/testkit/leak'
import { afterAll, describe, expect, it } from 'vitest'
import { buildWithRollup, digestEntry } from './support/build.js'
import { createFigures } from './support/figures.js'
import { sealJson } from './support/seal.js'
import { makeWorkDir } from './support/work.js'

/**
 * Plaintext data keys are zeroed as soon as they are used: the in-memory KMS keeps, by reference, every Uint8Array it
 * hands out, and each must be all zeros once the caller is done — runtime, core, sealer and a whole plugin build.
 */
const figures = createFigures('data-key-zeroing')
afterAll(() => figures.write())
const canaries = [newCanary('R'), newCanary('S')]
const value = { user: 'app', password: canaries[0] }
const isZero = (b: Uint8Array) => b.every((x) => x === 0)

describe('plaintext data keys are zeroed once used (providers wrapped to keep the exact buffers they hand out)', () => {
  it('runtime open (success, tampered ciphertext, non-key plaintext): every Decrypt plaintext is all zeros after', async () => {
    const kms = createFakeKms({ keys: ['fake-cmk-a'] })
    const env = await sealJson(kms, 'fake-cmk-a', value)
    const seals = kms.handedOut.length
    const opener = createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })
    expect(await opener.open(env, { file: 'db.secret.json' })).toEqual(value)
    await opener.open({ ...env, tag: 'AAAAAAAAAAAAAAAAAAAAAA==' }, { file: 'x' }).catch(() => undefined)
    const direct = await kms.encrypt({ keyId: 'fake-cmk-a', plaintext: new TextEncoder().encode(canaries[1]) })
    const wrapped = wrapBlob({
      blob: direct.ciphertextBlob,
      region: 'ap-guangzhou',
      id: 't.secret.txt',
      format: 'text',
    })
    expect(await createSecretOpener({ provider: kms }).open(wrapped, { file: 't.secret.txt' })).toBe(canaries[1])
    // A blob whose plaintext is not a 32-byte data key, made with the envelope's exact EncryptionContext.
    const marked = await kms.encrypt({
      keyId: 'fake-cmk-a',
      plaintext: new TextEncoder().encode(canaries[1]),
      encryptionContext: '{"kms-secrets":"1"}',
    })
    const error = await createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })
      .open({ ...env, kms: { ...env.kms, blob: marked.ciphertextBlob } }, { file: 'y' })
      .catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('ERR_ENVELOPE_AUTH')
    const decrypted = kms.handedOut.slice(seals)
    expect(decrypted.length).toBe(3)
    for (const buf of kms.handedOut) expect(isZero(buf)).toBe(true)
    figures.add('keyBuffersCheckedZero', kms.handedOut.length)
  })

  it('core openEnvelope and the sealer: the data key is zeroed after open, after a failed open and after dispose', async () => {
    const kms = createFakeKms({ keys: ['fake-cmk-a'] })
    const sealer = createSealer({ provider: kms, keyId: 'fake-cmk-a' })
    const parsed = parseSecretFile(JSON.stringify(value), 'json', 'db.secret.json')
    const env = await sealer.seal({ id: 'db.secret.json', format: 'json', ...parsed })
    expect(isZero(kms.handedOut[0]!)).toBe(false)
    sealer.dispose()
    await openEnvelope(env, { provider: kms })
    await openEnvelope({ ...env, id: 'other' }, { provider: kms }).catch(() => undefined)
    for (const buf of kms.handedOut) expect(isZero(buf)).toBe(true)
    figures.add('keyBuffersCheckedZero', kms.handedOut.length)
  })

  it('a whole plugin build (rollup, plaintext files sealed, then a failing build): GenerateDataKey plaintext zeroed', async () => {
    const kms = createFakeKms({ keys: ['fake-cmk-a'] })
    const work = makeWorkDir('zero')
    try {
      mkdirSync(join(work.dir, 'config'))
      writeFileSync(join(work.dir, 'config', 'db.secret.json'), JSON.stringify(value))
      writeFileSync(join(work.dir, 'config', 'b.secret.txt'), canaries[1]!)
      writeFileSync(join(work.dir, 'server.mjs'), digestEntry(['db.secret.json', 'b.secret.txt']))
      const plugin = { keyId: 'fake-cmk-a', provider: kms }
      await buildWithRollup({ root: work.dir, entry: 'server.mjs', outDir: join(work.dir, 'dist'), plugin })
      writeFileSync(join(work.dir, 'config', 'b.secret.txt'), '')
      writeFileSync(join(work.dir, 'config', 'db.secret.json'), `{"password": "${canaries[0]}", oops}`)
      await buildWithRollup({ root: work.dir, entry: 'server.mjs', outDir: join(work.dir, 'dist2'), plugin }).catch(
        () => undefined,
      )
      expect(kms.count('GenerateDataKey')).toBeGreaterThanOrEqual(1)
      for (const buf of kms.handedOut) expect(isZero(buf)).toBe(true)
      figures.add('keyBuffersCheckedZero', kms.handedOut.length)
    } finally {
      work.remove()
    }
  })
})
