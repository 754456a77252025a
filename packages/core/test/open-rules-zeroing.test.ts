import * as nodeCrypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, exportRecipientDataKey, unwrapProjectKey } from '../src/index.js'
import { type NodeCryptoPrimitives, type NodeKey, nodeCipher } from '../src/open/node-cipher.js'
import { importDataKey, type Opener, runOpen } from '../src/open/rules.js'
import { loadVectors, vectorKms } from './support/vectors.js'

/**
 * Attack on the open rules' hygiene (SECURITY.md §6): every secret byte array the synchronous node:crypto open path
 * holds — the data key KMS returned, the data key exported from its KeyObject for the one HKDF-Extract, the PRK, both
 * Expands (value key and commitment), an HPKE-exported data key, the unauthenticated AES-GCM output — is all zeros
 * once `runOpen` returns or throws, for every committed vector (success and each kind of tampering). The primitives
 * are node:crypto's own, wrapped only to keep a reference to each buffer they hand out.
 */
const { manifest, entries } = loadVectors()

const isZero = (b: Uint8Array) => b.every((x) => x === 0)

interface Recorded {
  what: string
  bytes: Uint8Array
}

/** node:crypto with every secret output kept by reference (KeyObjects wrapped so `export()` is seen too). */
function recordingNode(seen: Recorded[]): NodeCryptoPrimitives {
  const real = new WeakMap<object, nodeCrypto.KeyObject>()
  const unwrap = (k: unknown) => (typeof k === 'object' && k !== null && real.get(k)) || k
  const keep = <T extends Uint8Array>(what: string, bytes: T): T => {
    seen.push({ what, bytes })
    return bytes
  }
  return {
    createSecretKey: ((raw: Uint8Array) => {
      const key = nodeCrypto.createSecretKey(raw)
      const wrapped = { export: () => keep('exported data key (HKDF ikm)', key.export()) }
      real.set(wrapped, key)
      return wrapped
    }) as never,
    createHmac: ((alg: string, key: Uint8Array) => {
      const h = nodeCrypto.createHmac(alg, key)
      const api = {
        update: (d: Uint8Array) => {
          h.update(d)
          return api
        },
        digest: () => keep('HMAC output (PRK, value key or commitment)', h.digest()),
      }
      return api
    }) as never,
    createDecipheriv: ((alg: string, key: unknown, iv: Uint8Array, o: object) => {
      const d = nodeCrypto.createDecipheriv(alg as 'aes-256-gcm', unwrap(key) as nodeCrypto.KeyObject, iv, o as never)
      return {
        setAAD: (a: Uint8Array) => d.setAAD(a),
        setAuthTag: (t: Uint8Array) => d.setAuthTag(t),
        update: (data: Uint8Array) => keep('AES-GCM output', d.update(data)),
        final: () => d.final(),
      }
    }) as never,
  }
}

function openerFor(env: ReturnType<typeof decodeEnvelope>, seen: Recorded[]): Opener<NodeKey, Uint8Array> {
  const cipher = nodeCipher(recordingNode(seen))
  const provider = vectorKms(manifest)
  const fingerprint = env.mode === 'project' ? env.kms.project : ''
  return {
    ...cipher,
    dataKey: async (e, encryptionContext) => {
      const res = await provider.decrypt({ ciphertextBlob: e.kms.blob, encryptionContext })
      seen.push({ what: 'KMS Decrypt plaintext (data key)', bytes: res.plaintext })
      return importDataKey(cipher, res)
    },
    decrypt: (e, ec) =>
      provider.decrypt({ ciphertextBlob: e.kms.blob, ...(ec === undefined ? {} : { encryptionContext: ec }) }),
    async projectKey(e) {
      const res = await unwrapProjectKey(e, provider)
      return { key: res.plaintext.length === 32 ? res.plaintext : null, keyId: res.keyId }
    },
    hpkeExport: async (key, enc) => {
      const raw = await exportRecipientDataKey(key, enc, fingerprint)
      seen.push({ what: 'HPKE-exported data key', bytes: raw })
      return raw
    },
  }
}

// Direct mode returns KMS's plaintext itself (no key schedule); the other modes go through the crypto above.
const opened = entries.filter((e) => {
  try {
    return decodeEnvelope(e.text, e.envelope).mode !== 'direct'
  } catch {
    return false
  }
})

describe('open rules on node:crypto: every secret intermediate is zero afterwards, whatever the outcome', () => {
  it('covers successes and failures of v1, v2 and project vectors', () => {
    expect(opened.filter((e) => 'plaintext' in e.expect).length).toBeGreaterThan(5)
    expect(opened.filter((e) => 'error' in e.expect).length).toBeGreaterThan(10)
  })

  it.each(opened.map((e) => [e.name, e] as const))('%s', async (_n, entry) => {
    const env = decodeEnvelope(entry.text, entry.envelope)
    const seen: Recorded[] = []
    const outcome = await Promise.resolve()
      .then(() => runOpen(env, openerFor(env, seen), { file: entry.envelope, expectedId: entry.expectedId }))
      .catch((e: unknown) => e)
    if ('plaintext' in entry.expect) {
      expect(outcome).toBeInstanceOf(Uint8Array)
      expect(new TextDecoder().decode(outcome as Uint8Array)).toBe(entry.expect.plaintext)
      // The payload is the caller's to zero (the runtime's decodeAndZero); nothing else may still hold bytes.
      ;(outcome as Uint8Array).fill(0)
    } else {
      expect(outcome).toMatchObject({ code: entry.expect.error })
    }
    const left = seen.filter((r) => !isZero(r.bytes)).map((r) => r.what)
    expect(left, `${entry.name}: not zeroed`).toEqual([])
  })
})
