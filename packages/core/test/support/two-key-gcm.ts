import { createCipheriv } from 'node:crypto'

/**
 * The "invisible salamanders" forgery (Dodis et al. 2018; Len, Grubbs, Ristenpart 2021): one AES-GCM (iv, data, tag)
 * that authenticates under TWO keys, with the same AAD. GHASH is linear in each ciphertext block, so with one free
 * block C_n the two tag equations become one linear equation in GF(2^128):
 *   C_n · (H1² ⊕ H2²) = G1 ⊕ G2 ⊕ E_K1(J0) ⊕ E_K2(J0)
 * (G = GHASH with C_n = 0; C_n sits next to the length block, so its multiplier is H²). Test-only.
 */
const R = 0xe1n << 120n
const mask128 = (1n << 128n) - 1n

/** GF(2^128) product in GCM's bit order (NIST SP 800-38D, Algorithm 1). */
function gmul(x: bigint, y: bigint): bigint {
  let z = 0n
  let v = y
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n
  }
  return z
}

/** Inverse by Fermat: a^(2^128 − 2). */
function ginv(a: bigint): bigint {
  let result = 1n << 127n // the field's 1 in GCM bit order
  let base = a
  let e = (1n << 128n) - 2n
  while (e > 0n) {
    if (e & 1n) result = gmul(result, base)
    base = gmul(base, base)
    e >>= 1n
  }
  return result
}

const toInt = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)
const toBlock = (n: bigint): Buffer => Buffer.from((n & mask128).toString(16).padStart(32, '0'), 'hex')

function aesBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ecb` as 'aes-256-ecb', key, null)
  c.setAutoPadding(false)
  return Buffer.concat([c.update(block), c.final()])
}

function blocks(bytes: Uint8Array): bigint[] {
  const out: bigint[] = []
  for (let i = 0; i < bytes.length; i += 16) {
    const b = Buffer.alloc(16)
    Buffer.from(bytes.subarray(i, i + 16)).copy(b)
    out.push(toInt(b))
  }
  return out
}

function ghash(h: bigint, aad: Uint8Array, data: Uint8Array): bigint {
  const len = (BigInt(aad.length * 8) << 64n) | BigInt(data.length * 8)
  let y = 0n
  for (const x of [...blocks(aad), ...blocks(data), len]) y = gmul(y ^ x, h)
  return y
}

function counter(iv: Uint8Array, n: number): Buffer {
  const b = Buffer.alloc(16)
  Buffer.from(iv).copy(b)
  b.writeUInt32BE(n, 12)
  return b
}

/**
 * Ciphertext + tag valid under key1 AND key2 (96-bit iv, same aad). `prefix` (a multiple of 16 bytes) is what the
 * value decrypts to under key1; one more block is solved for, so the data is prefix.length + 16 bytes.
 */
export function forgeTwoKeyGcm(
  key1: Uint8Array,
  key2: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  prefix: Uint8Array,
): { data: Uint8Array; tag: Uint8Array } {
  if (prefix.length % 16 !== 0 || iv.length !== 12) throw new Error('prefix must be block-aligned, iv 12 bytes')
  const data = Buffer.alloc(prefix.length + 16)
  for (let i = 0; i < prefix.length; i += 16) {
    const ks = aesBlock(key1, counter(iv, 2 + i / 16))
    for (let j = 0; j < 16; j++) data[i + j] = prefix[i + j]! ^ ks[j]!
  }
  const h1 = toInt(aesBlock(key1, Buffer.alloc(16)))
  const h2 = toInt(aesBlock(key2, Buffer.alloc(16)))
  const s1 = toInt(aesBlock(key1, counter(iv, 1)))
  const s2 = toInt(aesBlock(key2, counter(iv, 1)))
  const rhs = ghash(h1, aad, data) ^ ghash(h2, aad, data) ^ s1 ^ s2
  const last = gmul(rhs, ginv(gmul(h1, h1) ^ gmul(h2, h2)))
  toBlock(last).copy(data, prefix.length)
  const tag = toBlock(ghash(h1, aad, data) ^ s1)
  return { data: new Uint8Array(data), tag: new Uint8Array(tag) }
}
