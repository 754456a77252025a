import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanForCanaries, walkFiles } from '@kms-secrets/testkit/leak'
import { kmsEnv, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyNextApp, startNext } from '../utils/next.js'
import { sealFilesInPlace } from '../utils/seal.js'
import { keyIdFor, newIdentity, oneKeySeed } from './support/kms.js'
import { fileContentHashes, foundNeedles } from './support/turbopack-cache.js'
import { makeWorkDir } from './support/work.js'

/**
 * Turbopack's persistent cache (on by default for `next dev` in Next 16.5) keeps an xxh3-128 hash of every file it
 * reads: with a plaintext secret file holding a 4-digit PIN, hashing the 10 000 candidates recovered the PIN from
 * `.next/dev/cache/turbopack` (and from `.next/cache/turbopack` after `next build`). withKmsSecrets now turns the cache
 * off while a secret file is plaintext. The control — the same app with the secret sealed, so the cache stays on —
 * proves the search: it finds the hash of a non-secret JSON file of the same shape.
 */
const keyId = keyIdFor('turbocache')
const dev = newIdentity('TurboDev')
const work = makeWorkDir('turbocache')
const pinFile = (pin: string) => `${JSON.stringify({ pin })}\n`
const secretPin = '4821'
const plainPin = '1357'
let kms: TestKms
let home: string
let app: string
let needles: Map<string, Buffer>

beforeAll(async () => {
  kms = await startTestKms({ seed: oneKeySeed(keyId, 'tc', [dev, ['GenerateDataKey', 'Encrypt', 'Decrypt']]) })
  // HOME outside the workspace, as in test/frameworks/next.test.ts (Next ignores the workspace root otherwise).
  home = mkdtempSync(join(tmpdir(), 'kms-secrets-next-home-'))
  app = copyNextApp(work.dir, 'app')
  rmSync(join(app, 'app', 'api'), { recursive: true })
  rmSync(join(app, 'app', 'page.tsx'))
  rmSync(join(app, 'config'), { recursive: true })
  mkdirSync(join(app, 'config'))
  writeFileSync(join(app, 'config', 'pin.secret.json'), pinFile(secretPin))
  writeFileSync(join(app, 'config', 'plain.json'), pinFile(plainPin))
  mkdirSync(join(app, 'app', 'api', 'pin'), { recursive: true })
  writeFileSync(
    join(app, 'app', 'api', 'pin', 'route.ts'),
    "import 'server-only'\nimport secret from '../../../config/pin.secret.json'\nimport plain from '../../../config/plain.json'\n\n" +
      'export function GET(): Response {\n  return Response.json({ length: secret.pin.length, plain: plain.pin })\n}\n',
  )
  const candidates = new Map<string, Buffer>()
  for (let n = 0; n < 10_000; n++) {
    const pin = String(n).padStart(4, '0')
    candidates.set(pin, Buffer.from(pinFile(pin)))
  }
  needles = await fileContentHashes(candidates)
})
afterAll(async () => {
  await kms.dispose()
  work.remove()
  rmSync(home, { recursive: true, force: true })
})

/** `next dev`, one request to the route, then a stop that lets Turbopack write its cache (as an idle snapshot would). */
async function devSession(): Promise<string> {
  const env = kmsEnv(kms.endpoint, dev, {
    KMS_SECRETS_KEY_ID: keyId,
    HOME: home,
    __NEXT_DEV_WAIT_FOR_TURBOPACK_SHUTDOWN: '1',
  })
  const server = await startNext(app, 'dev', env)
  try {
    const res = await fetch(`${server.url}/api/pin`)
    expect(await res.json()).toEqual({ length: 4, plain: plainPin })
  } finally {
    await server.stop()
  }
  return server.output()
}

const turbopackCache = () => join(app, '.next', 'dev', 'cache', 'turbopack')

describe('Turbopack (next dev): no hash of a plaintext secret file in .next', () => {
  test('plaintext secret file: the cache is off (with a warning), no PIN recoverable, no plaintext', async () => {
    const output = await devSession()
    const dist = join(app, '.next')
    expect(walkFiles(dist).length).toBeGreaterThan(20)
    expect(foundNeedles(dist, needles).has(secretPin)).toBe(false)
    expect(scanForCanaries([dist], [pinFile(secretPin).trim(), `pin":"${secretPin}`]).hits).toEqual([])
    expect(existsSync(turbopackCache()) ? walkFiles(turbopackCache()).filter((f) => f.endsWith('.sst')) : []).toEqual(
      [],
    )
    expect(output).toContain("Turbopack's filesystem cache is off for this dev server")
    expect(output).toContain('config/pin.secret.json')
    expect(output).not.toContain(`pin":"${secretPin}`)
  })

  test('control: with the secret sealed the cache is on, and the same search finds the non-secret file', async () => {
    await sealFilesInPlace(app, ['config/pin.secret.json'], { endpoint: kms.endpoint, keyId, identity: dev })
    const output = await devSession()
    expect(output).not.toContain("Turbopack's filesystem cache is off")
    expect(walkFiles(turbopackCache()).filter((f) => f.endsWith('.sst')).length).toBeGreaterThan(0)
    const found = foundNeedles(join(app, '.next'), needles)
    expect(found.has(plainPin)).toBe(true)
    expect(found.has(secretPin)).toBe(false)
  })
})
