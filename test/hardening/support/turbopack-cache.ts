import { readFileSync } from 'node:fs'
import { walkFiles } from '@kms-secrets/testkit/leak'
import { decompress as zstdDecompress } from 'fzstd'
import { createXXHash128 } from 'hash-wasm'

/**
 * Reading Turbopack's persistent cache (`.next/cache/turbopack/<version>/*.sst`, turbo-persistence as of Next 16.5):
 * each SST file is a list of blocks — u32be uncompressed length (0: stored as is), u32be checksum, data (zstd or LZ4
 * block) — followed by one u32be end offset per block. Values are searched in the decompressed blocks: a hash is a
 * literal there, and may be entropy-coded on disk.
 */
function lz4Block(src: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen)
  let s = 0
  let d = 0
  const length = (n: number) => {
    if (n !== 15) return n
    let b: number
    do {
      b = src[s++]!
      n += b
    } while (b === 255)
    return n
  }
  while (s < src.length) {
    const token = src[s++]!
    const literals = length(token >> 4)
    out.set(src.subarray(s, s + literals), d)
    s += literals
    d += literals
    if (s >= src.length) break
    const offset = src[s]! | (src[s + 1]! << 8)
    s += 2
    const match = length(token & 15) + 4
    for (let i = 0; i < match; i++, d++) out[d] = out[d - offset]!
  }
  if (d !== outLen) throw new Error(`LZ4 block: ${d} bytes, expected ${outLen}`)
  return out
}

/** The decompressed blocks of one SST file (throws on a layout it does not know: the search must not go blind). */
export function sstBlocks(file: Buffer): Buffer[] {
  const table = file.readUInt32BE(file.length - 4)
  const count = (file.length - table) / 4
  if (!Number.isInteger(count) || count < 1) throw new Error('not a turbo-persistence SST file')
  const blocks: Buffer[] = []
  let start = 0
  for (let i = 0; i < count; i++) {
    const end = file.readUInt32BE(table + 4 * i)
    const size = file.readUInt32BE(start)
    const data = file.subarray(start + 8, end)
    if (size === 0) blocks.push(data)
    else if (data.readUInt32BE(0) === 0x28b52ffd) blocks.push(Buffer.from(zstdDecompress(data)))
    else blocks.push(Buffer.from(lz4Block(data, size)))
    start = end
  }
  return blocks
}

/** Every file under `dir`, SST files also as their decompressed blocks. */
export function* cacheContents(dir: string): Generator<{ name: string; bytes: Buffer }> {
  for (const path of walkFiles(dir)) {
    const bytes = readFileSync(path)
    yield { name: path, bytes }
    if (path.endsWith('.sst'))
      for (const [i, block] of sstBlocks(bytes).entries()) yield { name: `${path}#${i}`, bytes: block }
  }
}

const u64le = (n: number) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt(n))
  return b
}

/**
 * What turbo-tasks hashes for a file read (`FileContent` is `serialization = "hash"`: only this hash is persisted):
 * xxh3-128 of its `DeterministicHash` — the enum discriminant `Content` (0), the rope's length and bytes, then
 * `FileMeta.permissions` (1: `Writable`, a 0644 file) — as a u128, little-endian.
 */
export async function fileContentHashes(contents: Map<string, Buffer>): Promise<Map<string, Buffer>> {
  const hasher = await createXXHash128()
  const out = new Map<string, Buffer>()
  for (const [label, content] of contents) {
    hasher.init()
    hasher.update(Buffer.concat([u64le(0), u64le(content.length), content, u64le(1)]))
    out.set(label, Buffer.from(hasher.digest('binary')).reverse())
  }
  return out
}

/** Labels whose 16-byte needle occurs in any file or SST block under `dir`. */
export function foundNeedles(dir: string, needles: Map<string, Buffer>): Set<string> {
  const byHead = new Map<number, [string, Buffer][]>()
  for (const [label, needle] of needles) {
    const head = needle.readUInt32LE(0)
    byHead.set(head, [...(byHead.get(head) ?? []), [label, needle]])
  }
  const found = new Set<string>()
  for (const { bytes } of cacheContents(dir)) {
    for (let i = 0; i + 16 <= bytes.length; i++) {
      const candidates = byHead.get(bytes.readUInt32LE(i))
      if (candidates === undefined) continue
      for (const [label, needle] of candidates) if (bytes.subarray(i, i + 16).equals(needle)) found.add(label)
    }
  }
  return found
}
