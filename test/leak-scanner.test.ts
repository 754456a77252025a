import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Encoding, scanForCanaries } from '@kms-secrets/testkit/leak'
import { afterAll, expect, test } from 'vitest'
import { fixtureCanaries, makeTempDir } from './utils/fixture.js'

// A negative control for the e2e leak check: if this scanner could miss an encoding, every "no hit" above would
// mean nothing. Each file below hides one canary in one encoding, inside other text and at an odd byte offset.
const work = makeTempDir('leak-scanner')
afterAll(() => rmSync(work, { recursive: true, force: true }))

const canary = 'canary-pw-"quoted"/slash\\back&amp=91ab-ümlaut'
const encodings: [Encoding, (v: string) => string | Buffer][] = [
  ['raw', (v) => v],
  ['json-escaped', (v) => JSON.stringify(v)],
  [
    'ascii-escaped',
    (v) =>
      Buffer.from(
        JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      ),
  ],
  [
    'unicode-escaped',
    (v) => Buffer.from([...v].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')),
  ],
  ['base64', (v) => Buffer.from(`xy${v}`).toString('base64')],
  ['base64url', (v) => Buffer.from(`x${v}`).toString('base64url')],
  ['hex', (v) => Buffer.from(v).toString('hex')],
  ['url-encoded', (v) => encodeURIComponent(v)],
  ['utf16le', (v) => Buffer.from(`\0${v}`, 'utf16le')],
]

test.each(encodings)('finds a canary hidden as %s in a binary file', (encoding, encode) => {
  const dir = join(work, encoding)
  mkdirSync(join(dir, 'nested'), { recursive: true })
  const payload = encode(canary)
  writeFileSync(
    join(dir, 'nested', 'blob.bin'),
    Buffer.concat([Buffer.from([0, 255, 7]), Buffer.from(payload), Buffer.from([0])]),
  )
  const { hits } = scanForCanaries([dir], [canary])
  expect(hits.map((h) => h.encoding)).toContain(encoding)
  expect(hits.every((h) => h.file === join('nested', 'blob.bin') && h.canary === 0)).toBe(true)
})

test('the fixture app has canaries in every secret file and a clean dir has no hit', () => {
  expect(fixtureCanaries().length).toBeGreaterThanOrEqual(8)
  const dir = join(work, 'clean')
  mkdirSync(dir)
  writeFileSync(join(dir, 'ok.js'), 'export const x = "kmsSecrets ciphertext only"\n')
  expect(scanForCanaries([dir], fixtureCanaries()).hits).toEqual([])
})
