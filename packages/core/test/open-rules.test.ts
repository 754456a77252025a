import * as nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { commitInfo, keyInfo } from '../src/envelope/commitment.js'
import {
  decodeEnvelope,
  decodePayload,
  exportRecipientDataKey,
  isKmsSecretsError,
  unwrapProjectKey,
} from '../src/index.js'
import { hkdfCommitted, nodeCipher } from '../src/open/node-cipher.js'
import { importDataKey, type OpenCipher, type Opener, runOpen } from '../src/open/rules.js'
import { webCipher } from '../src/open/web-cipher.js'
import { loadVectors, vectorKms } from './support/vectors.js'

/**
 * The one set of open rules (src/open/rules.ts) with each primitive set: node:crypto (synchronous answers) and
 * WebCrypto (promises). Every committed vector — v1, v2, direct and project — gives the same answer on both.
 */
const { manifest, entries } = loadVectors()
const ciphers = [
  ['node:crypto', nodeCipher(nodeCrypto)],
  ['WebCrypto', webCipher()],
] as [string, OpenCipher<unknown>][]

function openerWith(cipher: OpenCipher<unknown>, fingerprint = ''): Opener<unknown, Uint8Array> {
  const provider = vectorKms(manifest)
  return {
    ...cipher,
    dataKey: async (env, encryptionContext) =>
      importDataKey(cipher, await provider.decrypt({ ciphertextBlob: env.kms.blob, encryptionContext })),
    decrypt: (env, ec) =>
      provider.decrypt({ ciphertextBlob: env.kms.blob, ...(ec === undefined ? {} : { encryptionContext: ec }) }),
    async projectKey(env) {
      const res = await unwrapProjectKey(env, provider)
      return { key: res.plaintext.length === 32 ? res.plaintext : null, keyId: res.keyId }
    },
    // The HPKE info comes from the envelope's project fingerprint (FORMAT.md §10.4).
    hpkeExport: (key, enc) => exportRecipientDataKey(key, enc, fingerprint),
  }
}

describe.each(ciphers)('every committed vector through the shared rules on %s', (_name, cipher) => {
  it.each(entries.map((e) => [e.name, e] as const))('%s', async (_n, entry) => {
    const outcome = await (async () => {
      const env = decodeEnvelope(entry.text, entry.envelope)
      const opener = openerWith(cipher, env.mode === 'project' ? env.kms.project : '')
      const bytes = await runOpen(env, opener, { file: entry.envelope, expectedId: entry.expectedId })
      return { bytes, value: decodePayload(bytes, env.format) }
    })().catch((e: unknown) => e)
    if ('error' in entry.expect) {
      expect(isKmsSecretsError(outcome), `${entry.name} must fail with a KmsSecretsError`).toBe(true)
      expect((outcome as { code: string }).code).toBe(entry.expect.error)
    } else {
      const { bytes, value } = outcome as { bytes: Uint8Array; value: unknown }
      expect(new TextDecoder().decode(bytes)).toBe(entry.expect.plaintext)
      expect(value).toEqual(entry.expect.value)
    }
  })
})

describe('runOpen: synchronous on values, asynchronous on promises', () => {
  const ok = entries.find((e) => e.name.startsWith('v2-ok-json'))!
  const env = decodeEnvelope(ok.text, ok.envelope)

  /** Opens once through the rules (KMS, async) and keeps the key handle they imported, as an opener's cache does. */
  async function cachedKey(cipher: OpenCipher<unknown>) {
    let handle: unknown
    const opener = openerWith(cipher)
    const dataKey = opener.dataKey
    opener.dataKey = async (e, ec) => {
      const h = await dataKey(e, ec)
      handle = h
      return h
    }
    await runOpen(env, opener, {})
    return { handle: handle as never }
  }

  it('node:crypto with a cached key answers synchronously: no promise at all', async () => {
    const cipher = nodeCipher(nodeCrypto) as OpenCipher<unknown>
    const { handle } = await cachedKey(cipher)
    const opener = { ...openerWith(cipher), dataKey: () => handle }
    const out = runOpen(env, opener, {})
    expect(out).toBeInstanceOf(Uint8Array)
    expect(new TextDecoder().decode(out as Uint8Array)).toBe((ok.expect as { plaintext: string }).plaintext)
  })

  it('WebCrypto with the same cached key: a promise of the same bytes', async () => {
    const cipher = webCipher() as OpenCipher<unknown>
    const { handle } = await cachedKey(cipher)
    const out = runOpen(env, { ...openerWith(cipher), dataKey: () => handle }, {})
    expect(out).toBeInstanceOf(Promise)
    expect(new TextDecoder().decode(await out)).toBe((ok.expect as { plaintext: string }).plaintext)
  })

  it('an opener without project materials refuses mode "project" with a typed error saying what to do', async () => {
    const project = entries.find((e) => e.mode === 'project' && 'plaintext' in e.expect)!
    const penv = decodeEnvelope(project.text, project.envelope)
    const { projectKey: _p, hpkeExport: _h, ...noProject } = openerWith(nodeCipher(nodeCrypto) as OpenCipher<unknown>)
    const e = await Promise.resolve()
      .then(() => runOpen(penv, noProject as Opener<unknown, never>, { file: 'p.secret.json' }))
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_PROJECT_KEY', file: 'p.secret.json' })
    expect((e as Error).message).toContain('project mode')
  })

  it('a failing primitive: the derived key is still released, and ERR_ENVELOPE_AUTH reported without its message', async () => {
    const cipher = nodeCipher(nodeCrypto) as OpenCipher<unknown>
    const { handle } = await cachedKey(cipher)
    const released: unknown[] = []
    const opener = {
      ...openerWith(cipher),
      dataKey: () => handle,
      decipher: () => {
        throw new Error('boom with secret-ish text')
      },
      release: (k: unknown) => {
        released.push(k)
        cipher.release(k)
      },
    }
    const e = (() => {
      try {
        runOpen(env, opener, { file: 'f' })
      } catch (x) {
        return x
      }
    })()
    expect(e).toMatchObject({ code: 'ERR_ENVELOPE_AUTH' })
    expect((e as Error).message).not.toContain('boom')
    expect(released).toHaveLength(1)
    expect([...(released[0] as Uint8Array)].every((b) => b === 0)).toBe(true)
  })
})

describe('hkdfCommitted: one Extract for both Expands', () => {
  it('is byte-identical to two hkdfSync calls (fast-check: any ikm and salt)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 96 }), fc.uint8Array({ maxLength: 96 }), (ikm, salt) => {
        const { key, commit } = hkdfCommitted(nodeCrypto, ikm, salt)
        expect(Buffer.from(key)).toEqual(Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, keyInfo, 32)))
        expect(Buffer.from(commit)).toEqual(Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, commitInfo, 32)))
      }),
      { numRuns: 300 },
    )
  })
})
