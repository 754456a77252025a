import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileWebpackLike } from '@kms-secrets/testkit/build'
import { scanForCanaries, walkFiles } from '@kms-secrets/testkit/leak'
import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import webpack from 'webpack'
import { keyIdFor, newIdentity, oneKeySeed, providerFor } from './support/kms.js'
import { makeWorkDir } from './support/work.js'

/**
 * A bundler's persistent cache must hold nothing derived from a secret file's bytes: a content hash of a short secret
 * (a 4-digit PIN) is reversed by hashing all 10,000 candidates. The search runs every candidate through every hash a
 * bundler uses for file snapshots (webpack: `util.createHash` md4/md5/sha1/sha256/xxhash64, hex and base64; rspack:
 * rustc-hash 2 FxHash as u64 LE/BE and hex). A non-secret file with the same shape is the control: its hash is found.
 */
const keyId = keyIdFor('cache')
const build = newIdentity('Build')
const work = makeWorkDir('cache')
const root = join(work.dir, 'app')
const pinFile = (pin: string) => `${JSON.stringify({ pin })}\n`
const secretPin = '4821'
const plainPin = '1357'
let kms: TestKms

beforeAll(async () => {
  kms = await startTestKms({ seed: oneKeySeed(keyId, 'hc', [build, ['GenerateDataKey']]) })
  mkdirSync(join(root, 'config'), { recursive: true })
  writeFileSync(join(root, 'config', 'pin.secret.json'), pinFile(secretPin))
  writeFileSync(join(root, 'config', 'plain.json'), pinFile(plainPin))
  writeFileSync(
    join(root, 'server.js'),
    "import secret from './config/pin.secret.json'\nimport plain from './config/plain.json'\nconsole.log(secret, plain)\n",
  )
  writeFileSync(join(root, 'plain-only.js'), "import plain from './config/plain.json'\nconsole.log(plain)\n")
})
afterAll(async () => {
  await kms.dispose()
  work.remove()
})

const plugin = () => ({ keyId, provider: providerFor(kms.endpoint, build), dts: false })

const M64 = (1n << 64n) - 1n
const mix = (x: bigint, y: bigint) => {
  const full = x * y
  return (full & M64) ^ (full >> 64n)
}

/** rustc-hash 2.1 `hash_bytes` (the string compression of FxHasher). */
function fxHashBytes(b: Buffer): bigint {
  const len = b.length
  let s0 = 0x243f6a8885a308d3n
  let s1 = 0x13198a2e03707344n
  if (len <= 16) {
    if (len >= 8) {
      s0 ^= b.readBigUInt64LE(0)
      s1 ^= b.readBigUInt64LE(len - 8)
    } else if (len >= 4) {
      s0 ^= BigInt(b.readUInt32LE(0))
      s1 ^= BigInt(b.readUInt32LE(len - 4))
    } else if (len > 0) {
      s0 ^= BigInt(b[0]!)
      s1 ^= (BigInt(b[len - 1]!) << 8n) | BigInt(b[len >> 1]!)
    }
  } else {
    for (let off = 0; off < len - 16; off += 16) {
      const t = mix(s0 ^ b.readBigUInt64LE(off), 0xa4093822299f31d0n ^ b.readBigUInt64LE(off + 8))
      s0 = s1
      s1 = t
    }
    s0 ^= b.readBigUInt64LE(len - 16)
    s1 ^= b.readBigUInt64LE(len - 8)
  }
  return mix(s0, s1) ^ BigInt(len)
}

/** `Vec<u8>::hash(&mut FxHasher)` then `finish()`: length prefix, bytes, rotate_left(26). */
function fxHash(content: Buffer): bigint {
  let h = 0n
  const add = (i: bigint) => {
    h = (((h + i) & M64) * 0xf1357aea2e62a9c5n) & M64
  }
  add(BigInt(content.length))
  add(fxHashBytes(content))
  return ((h << 26n) | (h >> 38n)) & M64
}

const swap64 = (v: bigint) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(v)
  return b.readBigUInt64BE()
}

interface Needles {
  strings: Map<string, string>
  u64: Map<bigint, string>
}

/** Every hash form of every PIN's file content, mapped to the PIN (so a hit names the recovered PIN). */
function pinHashes(): Needles {
  const strings = new Map<string, string>()
  const u64 = new Map<bigint, string>()
  for (let n = 0; n < 10_000; n++) {
    const pin = String(n).padStart(4, '0')
    const content = Buffer.from(pinFile(pin))
    for (const fn of ['md4', 'md5', 'sha1', 'sha256', 'xxhash64']) {
      const digest = webpack.util.createHash(fn).update(content).digest() as Buffer
      for (const s of [digest.toString('hex'), digest.toString('base64').replace(/=+$/, '')]) strings.set(s, pin)
    }
    const fx = fxHash(content)
    u64.set(fx, pin)
    u64.set(swap64(fx), pin)
    strings.set(fx.toString(16).padStart(16, '0'), pin)
  }
  return { strings, u64 }
}

const lengths = [16, 22, 27, 32, 40, 43, 64]

/** PINs whose file hash occurs anywhere under `dir`, in any form. */
function recoveredPins(dir: string, needles: Needles): Set<string> {
  const found = new Set<string>()
  for (const path of walkFiles(dir)) {
    const bytes = readFileSync(path)
    for (let i = 0; i + 8 <= bytes.length; i++) {
      const pin = needles.u64.get(bytes.readBigUInt64LE(i))
      if (pin !== undefined) found.add(pin)
    }
    for (const [run] of bytes.toString('latin1').matchAll(/[A-Za-z0-9+/]{16,}/g)) {
      for (const len of lengths) {
        for (let i = 0; i + len <= run.length; i++) {
          const pin = needles.strings.get(run.slice(i, i + len))
          if (pin !== undefined) found.add(pin)
        }
      }
    }
  }
  return found
}

type Kind = 'webpack' | 'rspack'

async function buildWith(kind: Kind, name: string, extra: Record<string, unknown>, withPlugin = true): Promise<string> {
  const cacheDir = join(work.dir, `${kind}-${name}-cache`)
  const config = {
    mode: 'production',
    context: root,
    entry: join(root, withPlugin ? 'server.js' : 'plain-only.js'),
    target: 'node20',
    output: { path: join(work.dir, `${kind}-${name}-out`), library: { type: 'commonjs2' } },
    optimization: { minimize: false },
    infrastructureLogging: { level: 'none' },
    cache:
      kind === 'webpack'
        ? { type: 'filesystem', cacheDirectory: cacheDir }
        : { type: 'persistent', storage: { type: 'filesystem', directory: cacheDir } },
    plugins: withPlugin ? [kind === 'webpack' ? kmsWebpack(plugin()) : kmsRspack(plugin())] : [],
    ...extra,
  }
  // compileWebpackLike closes the compiler, which writes the persistent cache.
  const stats = await compileWebpackLike(kind, config)
  if (stats?.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }))
  expect(walkFiles(cacheDir).length).toBeGreaterThan(0)
  return cacheDir
}

describe('no hash of a secret file in a persistent cache', () => {
  let needles: Needles
  beforeAll(() => {
    needles = pinHashes()
  })

  const variants: [Kind, string, Record<string, unknown>][] = [
    ['webpack', 'defaults', {}],
    [
      'webpack',
      'hash-only-xxhash64',
      {
        snapshot: { module: { hash: true, timestamp: false }, resolve: { hash: true, timestamp: false } },
        output: { library: { type: 'commonjs2' }, hashFunction: 'xxhash64' },
      },
    ],
    ['rspack', 'defaults', {}],
    ['rspack', 'hash-only', { snapshot: { module: { hash: true, timestamp: false } } }],
  ]
  for (const [kind, name, extra] of variants) {
    it(`${kind} (${name}): no PIN recoverable from the cache, no plaintext in it`, async () => {
      const cacheDir = await buildWith(kind, name, extra)
      const pins = recoveredPins(cacheDir, needles)
      expect(pins.has(secretPin)).toBe(false)
      expect(scanForCanaries([cacheDir], [pinFile(secretPin).trim(), `pin":"${secretPin}`]).hits).toEqual([])
      // Control (webpack): the same search finds the non-secret file's hash in the same cache.
      if (kind === 'webpack') expect(pins.has(plainPin)).toBe(true)
    })
  }

  for (const kind of ['webpack', 'rspack'] as const) {
    it(`${kind}: a changed secret file is rebuilt from the cache (its snapshot is not a content hash)`, async () => {
      const out = join(work.dir, `${kind}-rebuild-out`, 'main.js')
      const secretPath = join(root, 'config', 'pin.secret.json')
      await buildWith(kind, 'rebuild', {})
      const first = readFileSync(out, 'utf8')
      await buildWith(kind, 'rebuild', {})
      expect(readFileSync(out, 'utf8')).toBe(first)
      writeFileSync(secretPath, pinFile('9999'))
      try {
        await buildWith(kind, 'rebuild', {})
        expect(readFileSync(out, 'utf8')).not.toBe(first)
      } finally {
        writeFileSync(secretPath, pinFile(secretPin))
      }
    })
  }

  it('control (rspack, without the plugin): the search finds the FxHash rspack stores for a file', async () => {
    const cacheDir = await buildWith('rspack', 'control', {}, false)
    expect(recoveredPins(cacheDir, needles).has(plainPin)).toBe(true)
  })
})
