/**
 * The SM2 ciphertext Tencent's AsymmetricSm2Decrypt takes ("原始密文格式需要为C1C3C2_ASN1", API doc 573/42141), as
 * GM/T 0009 defines it, strict DER:
 *   SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER, HASH OCTET STRING (32, SM3), CipherText OCTET STRING }
 */
export interface Sm2CiphertextParts {
  /** C1 coordinates, left-padded to 32 bytes. */
  x: Buffer
  y: Buffer
  /** C3 = SM3(x2 || M || y2). */
  hash: Buffer
  /** C2, as long as the plaintext. */
  cipher: Buffer
}

const coordinateLength = 32
const hashLength = 32

interface Tlv {
  tag: number
  value: Buffer
  end: number
}

/** One DER TLV at `at`, with a minimally encoded definite length; undefined when malformed. */
function readTlv(der: Buffer, at: number): Tlv | undefined {
  if (at + 2 > der.length) return undefined
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length >= 0x80) {
    const octets = length & 0x7f
    if (octets < 1 || octets > 2 || start + octets > der.length || der[start] === 0) return undefined
    length = octets === 1 ? der[start]! : der.readUInt16BE(start)
    if (length < 0x80 || (octets === 2 && length < 0x100)) return undefined
    start += octets
  }
  const end = start + length
  return end > der.length ? undefined : { tag, value: der.subarray(start, end), end }
}

/** A non-negative, minimally encoded DER INTEGER of at most 32 significant bytes, left-padded to 32. */
function coordinateOf(tlv: Tlv | undefined): Buffer | undefined {
  if (tlv?.tag !== 0x02 || tlv.value.length === 0) return undefined
  const v = tlv.value
  if (v[0]! >= 0x80) return undefined
  if (v.length > 1 && v[0] === 0 && v[1]! < 0x80) return undefined
  const magnitude = v[0] === 0 && v.length > 1 ? v.subarray(1) : v
  if (magnitude.length > coordinateLength) return undefined
  return Buffer.concat([Buffer.alloc(coordinateLength - magnitude.length), magnitude])
}

export function decodeSm2Ciphertext(der: Buffer): Sm2CiphertextParts | undefined {
  const outer = readTlv(der, 0)
  if (outer?.tag !== 0x30 || outer.end !== der.length) return undefined
  const body = outer.value
  const xTlv = readTlv(body, 0)
  const yTlv = xTlv && readTlv(body, xTlv.end)
  const hashTlv = yTlv && readTlv(body, yTlv.end)
  const cipherTlv = hashTlv && readTlv(body, hashTlv.end)
  const x = coordinateOf(xTlv)
  const y = coordinateOf(yTlv)
  if (!x || !y || !hashTlv || !cipherTlv || cipherTlv.end !== body.length) return undefined
  if (hashTlv.tag !== 0x04 || hashTlv.value.length !== hashLength) return undefined
  if (cipherTlv.tag !== 0x04 || cipherTlv.value.length === 0) return undefined
  return { x, y, hash: hashTlv.value, cipher: cipherTlv.value }
}
