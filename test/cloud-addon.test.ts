import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import * as esbuild from 'esbuild'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { runNode } from './utils/run.js'

/**
 * `@kms-secrets/runtime/cloud` (issue 11): a single-file bundle inlines the lean runtime — explicit and environment
 * credentials, direct connections — and loads the profile/CVM/TKE sources and the proxy tunnel from node_modules
 * only when it needs them. Deployed to a directory with no node_modules: env credentials open; a CVM role (a fake
 * metadata service on 127.0.0.1) fails with ONE typed error saying to add the import, unless the build used the
 * plugin option `cloud: true` (ESM: imported into the bundle; CommonJS: inside kms-secrets-worker.cjs).
 */
const kms = useKms()
const keyId = kms.keyIds.cloud
const value = { user: 'app', password: 'cloud-addon-canary-5d1f0c' }
let work: string
let app: string
let emptyHome: string
let metadata: Server
let metadataUrl: string
const metadataHits: string[] = []

// The app catches the secret module's failure, so a run prints exactly what the runtime threw (code, message, hint).
const entry = `try {
  const { default: db } = await import('./load.js')
  console.log(JSON.stringify({ ok: true, db }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, hint: e.hint }))
}
`
const entryCjs = `try {
  const db = require('./load.js').default
  console.log(JSON.stringify({ ok: true, db }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, hint: e.hint }))
}
`

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kms-secrets-cloud-'))
  app = join(work, 'app')
  emptyHome = join(work, 'home')
  mkdirSync(join(app, 'src'), { recursive: true })
  mkdirSync(emptyHome)
  writeFileSync(join(app, 'src/db.secret.json'), JSON.stringify(value))
  writeFileSync(join(app, 'src/load.js'), "export { default } from './db.secret.json'\n")
  writeFileSync(join(app, 'src/server.mjs'), entry)
  writeFileSync(join(app, 'src/server.cjs'), entryCjs)
  // The CVM metadata service (KMS_SECRETS_METADATA_URL, honoured for loopback only): the runtime identity's keys as
  // the role's temporary credentials.
  metadata = createServer((req, res) => {
    metadataHits.push(req.url ?? '')
    if (req.url === '/latest/meta-data/cam/security-credentials/') return void res.end('kms-role\n')
    if (req.url !== '/latest/meta-data/cam/security-credentials/kms-role') return void res.writeHead(404).end()
    const { secretId, secretKey } = kms.identities.runtime
    const expiredTime = Math.floor(Date.now() / 1000) + 3600
    res.end(
      JSON.stringify({ TmpSecretId: secretId, TmpSecretKey: secretKey, ExpiredTime: expiredTime, Code: 'Success' }),
    )
  })
  await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r))
  metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/latest/meta-data/`
})
afterAll(async () => {
  metadata.closeAllConnections()
  await new Promise((r) => metadata.close(r))
  rmSync(work, { recursive: true, force: true })
})

/** Builds everything into one file (+ the worker file for CommonJS), then deploys only that to an empty directory. */
async function buildAndDeploy(format: 'esm' | 'cjs', cloud: boolean): Promise<{ dir: string; file: string }> {
  const outDir = join(work, `out-${format}-${cloud}`)
  const file = format === 'esm' ? 'server.mjs' : 'server.cjs'
  await withEnv(buildEnvVars(kms, kms.identities.build), () =>
    esbuild.build({
      entryPoints: [join(app, 'src', file)],
      absWorkingDir: app,
      bundle: true,
      minify: true,
      platform: 'node',
      format,
      outfile: join(outDir, file),
      logLevel: 'silent',
      plugins: [kmsEsbuild({ keyId, dts: false, ...(cloud ? { cloud } : {}) })],
    }),
  )
  expect(scanForCanaries([outDir], [value.password]).hits).toEqual([])
  const dir = mkdtempSync(join(tmpdir(), 'kms-secrets-cloud-deploy-'))
  cpSync(outDir, dir, { recursive: true })
  expect(readdirSync(dir).sort()).toEqual(format === 'esm' ? [file] : ['kms-secrets-worker.cjs', file])
  return { dir, file }
}

interface Printed {
  ok: boolean
  db?: unknown
  code?: string
  message?: string
  hint?: string
}

async function run(d: { dir: string; file: string }, env: NodeJS.ProcessEnv) {
  const r = await runNode(join(d.dir, d.file), env)
  const lines = r.stdout.trim().split('\n')
  expect(lines).toHaveLength(1)
  return { printed: JSON.parse(lines[0]!) as Printed, stderr: r.stderr }
}

/** No credentials in the environment: only the (fake) CVM role can answer. */
const cvmEnv = () => kmsEnv(kms, undefined, { KMS_SECRETS_METADATA_URL: metadataUrl, HOME: emptyHome })

describe.each(['esm', 'cjs'] as const)('single-file %s bundle, deployed without node_modules', (format) => {
  let lean: { dir: string; file: string }
  let cloud: { dir: string; file: string }
  beforeAll(async () => {
    lean = await buildAndDeploy(format, false)
    cloud = await buildAndDeploy(format, true)
  })
  afterAll(() => {
    for (const d of [lean, cloud]) if (d) rmSync(d.dir, { recursive: true, force: true })
  })

  test('env credentials open it (the add-on is neither there nor needed)', async () => {
    const hits = metadataHits.length
    const { printed, stderr } = await run(lean, kmsEnv(kms, kms.identities.runtime, { HOME: emptyHome }))
    expect(printed).toEqual({ ok: true, db: value })
    expect(stderr).toBe('')
    expect(metadataHits.length).toBe(hits)
  })

  test('a CVM role without the add-on: ONE ERR_KMS_CREDENTIALS naming the sources tried and the import to add', async () => {
    const hits = metadataHits.length
    const { printed, stderr } = await run(lean, cvmEnv())
    expect(printed).toMatchObject({ ok: false, code: 'ERR_KMS_CREDENTIALS' })
    for (const tried of [
      'TENCENTCLOUD_SECRET_ID',
      'TENCENTCLOUD_SECRETID',
      'profile/CVM role/TKE OIDC: not in this bundle',
    ])
      expect(printed.message).toContain(tried)
    expect(printed.hint).toContain("import '@kms-secrets/runtime/cloud'")
    expect(printed.hint).toContain('cloud: true')
    expect(printed.hint).toContain('node_modules/@kms-secrets/runtime')
    // Nothing printed besides our one line (no stack, no SDK FetchError), and the metadata service was not asked.
    expect(stderr).toBe('')
    expect(metadataHits.length).toBe(hits)
  })

  test('built with cloud: true, the same deployment opens with the CVM role', async () => {
    const hits = metadataHits.length
    const { printed, stderr } = await run(cloud, cvmEnv())
    expect(printed).toEqual({ ok: true, db: value })
    expect(stderr).toBe('')
    expect(metadataHits.slice(hits)).toContain('/latest/meta-data/cam/security-credentials/kms-role')
  })
})
