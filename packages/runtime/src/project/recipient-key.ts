import { nodeCrypto } from '../opener/node-crypto.js'
import type { RecipientKey } from './hpke-receiver.js'

/**
 * Imports a project private key (HPKE `SerializePrivateKey`: the 32-byte P-256 scalar) as a NON-extractable ECDH
 * CryptoKey and finds its public key, without ever making the key extractable and without secret-dependent JavaScript
 * arithmetic: ECDH(skR, G) gives x(pkR) (WebCrypto does the scalar multiplication), y follows from the curve
 * equation up to its sign, and `isProjectKey` (the fingerprint, FORMAT.md §10.2) picks the one the project
 * published. Null when neither candidate is the project's public key, i.e. this is not the project's private key.
 * Bun and Deno refuse a PKCS #8 key without its public half: there node:crypto's ECDH (native, as WebCrypto) gives
 * the public key first, and the key is imported with it.
 */

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (b) => Number.parseInt(b, 16))
/** PKCS #8 PrivateKeyInfo for id-ecPublicKey/prime256v1 with an ECPrivateKey holding only the 32-byte scalar. */
const pkcs8Prefix = fromHex('308141020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420')
/** The same with the public key: `publicKey [1] BIT STRING` follows the scalar. */
const pkcs8PubPrefix = fromHex('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420')
const pkcs8PubMid = fromHex('a144034200')
// P-256 (SEC 2 §2.4.2 / FIPS 186-4 D.1.2.3): field prime, b (a = -3), base point.
const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const b = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const gx = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n
const gy = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n
const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n
  for (const byte of bytes) n = (n << 8n) | BigInt(byte)
  return n
}

function toBytes(n: bigint, into: Uint8Array, at: number): void {
  for (let i = at + 31; i >= at; i--, n >>= 8n) into[i] = Number(n & 0xffn)
}

function powMod(base: bigint, exp: bigint): bigint {
  let r = 1n
  for (let x = base % p, e = exp; e > 0n; e >>= 1n, x = (x * x) % p) if (e & 1n) r = (r * x) % p
  return r
}

function point(x: bigint, y: bigint): Uint8Array {
  const out = new Uint8Array(65)
  out[0] = 4
  toBytes(x, out, 1)
  toBytes(y, out, 33)
  return out
}

/** Bun, Deno: the public key from node:crypto's ECDH, then a PKCS #8 import that carries it. */
export async function importWithPublicKey(raw: Uint8Array, isProjectKey: (pk: Uint8Array) => Promise<boolean>) {
  const node = nodeCrypto()
  if (node === undefined) return null
  const ecdhKey = node.createECDH('prime256v1')
  const copy = raw.slice()
  let publicKey: Uint8Array
  try {
    ecdhKey.setPrivateKey(copy)
    publicKey = new Uint8Array(ecdhKey.getPublicKey())
  } catch {
    return null // 0 or ≥ n: not a P-256 private key
  } finally {
    copy.fill(0)
  }
  if (!(await isProjectKey(publicKey))) return null
  const der = new Uint8Array(pkcs8PubPrefix.length + 32 + pkcs8PubMid.length + 65)
  der.set(pkcs8PubPrefix)
  der.set(raw, pkcs8PubPrefix.length)
  der.set(pkcs8PubMid, pkcs8PubPrefix.length + 32)
  der.set(publicKey, pkcs8PubPrefix.length + 32 + pkcs8PubMid.length)
  const pending = crypto.subtle.importKey('pkcs8', der, ecdh, false, ['deriveBits'])
  der.fill(0)
  return { privateKey: await pending, publicKey }
}

/** Imports `raw` (zeroed here, whatever happens) and returns the key with its public half, or null (see above). */
export async function importRecipientKey(
  raw: Uint8Array,
  isProjectKey: (publicKey: Uint8Array) => Promise<boolean>,
): Promise<RecipientKey | null> {
  const der = new Uint8Array(pkcs8Prefix.length + 32)
  try {
    if (raw.length !== 32) return null
    der.set(pkcs8Prefix)
    der.set(raw, pkcs8Prefix.length)
    const pending = crypto.subtle.importKey('pkcs8', der, ecdh, false, ['deriveBits'])
    // WebCrypto copied keyData synchronously (importKey step 2): the bytes can go before the promise settles.
    der.fill(0)
    const privateKey = await pending.catch(() => null)
    // Refused: 0 or ≥ n (not a P-256 private key), or a host that wants the public key in PKCS #8 (Bun, Deno).
    if (privateKey === null) return await importWithPublicKey(raw, isProjectKey)
    raw.fill(0)
    const base = await crypto.subtle.importKey('raw', point(gx, gy), ecdh, false, [])
    const x = toBigInt(new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: base }, privateKey, 256)))
    // y² = x³ - 3x + b; p ≡ 3 (mod 4), so a square root is (y²)^((p+1)/4).
    const y = powMod(((((x * x - 3n) * x + b) % p) + p) % p, (p + 1n) / 4n)
    for (const candidate of [point(x, y), point(x, (p - y) % p)]) {
      if (await isProjectKey(candidate)) return { privateKey, publicKey: candidate }
    }
    return null
  } finally {
    der.fill(0)
    raw.fill(0)
  }
}
