import type { webcrypto } from 'node:crypto'

/**
 * The HPKE receiver the runtime needs (RFC 9180): DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, export-only AEAD (0xFFFF),
 * mode_base, `SetupBaseR` + `Export` only. WebCrypto ECDH and HMAC-SHA256, so it runs on Node, Bun, Deno and workerd,
 * and the recipient's private key stays a NON-extractable CryptoKey (@hpke/core needs an extractable one to derive
 * the public key, and weighs ~5 KiB more). Byte-identical to @hpke/core (test/hpke-receiver.test.ts, fast-check).
 */

type CryptoKey = webcrypto.CryptoKey

const utf8 = new TextEncoder()
const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const
/** RFC 9180 §7.1: KEM id 0x0010; §7.2: KDF id 0x0001; §7.3: export-only AEAD id 0xFFFF. */
const kemSuiteId = utf8.encode('KEM\x00\x10')
const hpkeSuiteId = new Uint8Array([...utf8.encode('HPKE'), 0x00, 0x10, 0x00, 0x01, 0xff, 0xff])
const hpkeV1 = utf8.encode('HPKE-v1')
/** HKDF-Extract with an empty salt uses HashLen zero bytes (RFC 5869 §2.2); HMAC pads a short key the same way. */
const zeroSalt = new Uint8Array(32)

/** A P-256 recipient key: the private half as a non-extractable ECDH key, and `SerializePublicKey(pkR)`. */
export interface RecipientKey {
  privateKey: CryptoKey
  /** 65 bytes, uncompressed `04‖x‖y`. */
  publicKey: Uint8Array
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data))
}

/** RFC 9180 §4: LabeledExtract(salt, label, ikm) = HKDF-Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm). */
function labeledExtract(suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Promise<Uint8Array> {
  const labeled = concat(hpkeV1, suite, utf8.encode(label), ikm)
  return hmac(salt.length === 0 ? zeroSalt : salt, labeled).finally(() => labeled.fill(0))
}

/** LabeledExpand(prk, label, info, L) for L ≤ 32: the first block of HKDF-Expand is all that is needed. */
async function labeledExpand(
  suite: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const labeled = concat(new Uint8Array([length >> 8, length & 0xff]), hpkeV1, suite, utf8.encode(label), info, [1])
  return (await hmac(prk, labeled)).slice(0, length)
}

/**
 * `SetupBaseR(enc, skR, info)` then `Export(exporterContext, length)` (RFC 9180 §4.1 Decap, §5.1 KeySchedule with
 * mode_base and empty psk, §5.3 Export). `length` ≤ 32. Rejects when `enc` is not a valid P-256 point. Every
 * intermediate secret is zeroed; the caller zeroes the result.
 */
export async function exportFromEnc(
  key: RecipientKey,
  enc: Uint8Array,
  info: Uint8Array,
  exporterContext: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  if (!(length > 0 && length <= 32)) throw new RangeError('HPKE export length must be 1..32 here')
  const pkE = await crypto.subtle.importKey('raw', enc, ecdh, false, [])
  const secrets: Uint8Array[] = []
  const keep = (b: Uint8Array): Uint8Array => {
    secrets.push(b)
    return b
  }
  try {
    const dh = keep(new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: pkE }, key.privateKey, 256)))
    const eaePrk = keep(await labeledExtract(kemSuiteId, new Uint8Array(0), 'eae_prk', dh))
    const kemContext = concat(enc, key.publicKey)
    const shared = keep(await labeledExpand(kemSuiteId, eaePrk, 'shared_secret', kemContext, 32))
    const none = new Uint8Array(0)
    const pskIdHash = await labeledExtract(hpkeSuiteId, none, 'psk_id_hash', none)
    const infoHash = await labeledExtract(hpkeSuiteId, none, 'info_hash', info)
    const context = concat([0x00], pskIdHash, infoHash)
    const secret = keep(await labeledExtract(hpkeSuiteId, shared, 'secret', none))
    const exporterSecret = keep(await labeledExpand(hpkeSuiteId, secret, 'exp', context, 32))
    return await labeledExpand(hpkeSuiteId, exporterSecret, 'sec', exporterContext, length)
  } finally {
    for (const s of secrets) s.fill(0)
  }
}
