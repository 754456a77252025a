import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileOf, sealAll, sources } from './support/seal.js'
import { startTencentServer, type TencentServer } from './support/tencent-server.js'

const distCjs = resolve(import.meta.dirname, '../dist/index.cjs')
const distMjs = resolve(import.meta.dirname, '../dist/index.mjs')
const dir = mkdtempSync(join(tmpdir(), 'kms-secrets-runtime-default-'))

let server: TencentServer
let envelopes: unknown[]
let values: unknown[]

beforeAll(async () => {
  const kms: FakeKms = createFakeKms()
  server = await startTencentServer(kms)
  const files = (['json', 'text'] as const).map((f) => ({ id: fileOf[f], format: f, text: sources[f] }))
  ;({ envelopes, values } = await sealAll(kms, files))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the default opener is one per process, whatever number of copies of the runtime are loaded', () => {
  it('the ESM and the CommonJS entry in one process make one Decrypt for one data key', async () => {
    // Next.js bundles a copy of the runtime into each route's chunks; two entries of the package model two copies.
    const file = join(dir, 'two-copies.mjs')
    writeFileSync(
      file,
      `import { createRequire } from 'node:module'
import { openSecret as esm } from ${JSON.stringify(distMjs)}
const cjs = createRequire(import.meta.url)(${JSON.stringify(distCjs)}).openSecret
const [e1, e2] = ${JSON.stringify(envelopes)}
const a = await esm(e1, { file: e1.id })
const b = await cjs(e2, { file: e2.id })
console.log(JSON.stringify([a, b]))
`,
    )
    const before = server.requests.length
    const stdout = await new Promise<string>((res, rej) =>
      execFile(
        process.execPath,
        [file],
        {
          env: {
            PATH: process.env.PATH ?? '',
            TENCENTCLOUD_SECRET_ID: 'AKIDtest',
            TENCENTCLOUD_SECRET_KEY: 'test-secret-key',
            KMS_SECRETS_ENDPOINT: server.endpoint,
          },
        },
        (error, out, err) => (error ? rej(new Error(err)) : res(out)),
      ),
    )
    expect(JSON.parse(stdout)).toEqual(values)
    expect(server.requests.length - before).toBe(1)
  })
})
