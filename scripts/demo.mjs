#!/usr/bin/env node
// `pnpm demo` (= pnpm build && node scripts/demo.mjs): the whole kms-secrets story on this machine, against the
// embedded local-kms — seal at build with an identity that cannot decrypt, ship a dist/ with no plaintext in it,
// decrypt into memory at server start with an identity that can only decrypt. Cleans up after itself.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildExample,
  exampleSecrets,
  fail,
  loadPackages,
  note,
  ok,
  printAudit,
  refusal,
  repoDir,
  scanDist,
  startServer,
  step,
} from './demo-steps.mjs'

const example = 'vite-ssr'
const exampleDir = join(repoDir, 'examples', example)
const keyId = 'd3e0c0de-7a11-4c0d-9e5e-000000000001'
const identity = (name) => ({
  secretId: `AKIDdemo${name}${randomBytes(6).toString('hex')}`,
  secretKey: randomBytes(24).toString('base64url'),
})
const build = identity('Build')
const runtime = identity('Runtime')
const cleanups = []

async function main() {
  const { startLocalKms, core } = await loadPackages()

  step(1, 'Start local-kms, the embedded server that speaks Tencent Cloud KMS API 3.0')
  const dataDir = mkdtempSync(join(tmpdir(), 'kms-secrets-demo-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const seed = {
    identities: [
      { ...build, allow: ['GenerateDataKey', 'Encrypt'], keys: [keyId] },
      { ...runtime, allow: ['Decrypt'], keys: [keyId] },
    ],
    keys: [{ keyId, alias: 'secrets-demo', description: 'pnpm demo' }],
  }
  const kms = await startLocalKms({ host: '127.0.0.1', port: 0, dataDir, seed, quiet: true })
  cleanups.unshift(() => kms.close())
  ok(`listening on ${kms.endpoint} (data dir ${dataDir})`)
  ok(`CMK ${keyId}`)
  ok(`build identity   ${build.secretId}: may GenerateDataKey, Encrypt — not Decrypt`)
  ok(`runtime identity ${runtime.secretId}: may Decrypt — nothing else`)
  const kmsVars = { KMS_SECRETS_ENDPOINT: kms.endpoint, TENCENTCLOUD_REGION: 'ap-guangzhou' }

  step(2, `Build examples/${example} with the build identity (plaintext config/*.secret.* sealed during the build)`)
  const secrets = exampleSecrets(core, exampleDir)
  note(`secret imports: ${secrets.map((s) => s.file).join(', ')}`)
  await buildExample(exampleDir, {
    ...kmsVars,
    KMS_SECRETS_KEY_ID: keyId,
    TENCENTCLOUD_SECRET_ID: build.secretId,
    TENCENTCLOUD_SECRET_KEY: build.secretKey,
  })
  ok('built dist/')

  step(3, 'Scan dist/ for every plaintext value (raw, JSON-escaped, base64, hex, URL-encoded, \\u-escaped)')
  scanDist(core, join(exampleDir, 'dist'), secrets)

  step(4, 'Start the built server with the runtime identity (it decrypts into memory, nothing on disk)')
  const server = await startServer(exampleDir, {
    ...kmsVars,
    TENCENTCLOUD_SECRET_ID: runtime.secretId,
    TENCENTCLOUD_SECRET_KEY: runtime.secretKey,
  })
  cleanups.unshift(() => server.stop())
  ok(server.line)

  step(5, `GET ${server.url}/`)
  const res = await fetch(`${server.url}/`)
  const body = await res.json()
  if (res.status !== 200 || body.ok !== true) fail(`the server answered ${res.status}`)
  for (const line of JSON.stringify(body, null, 2).split('\n')) note(line)
  ok('it has the DB config and the API token, decrypted at start')

  step(6, 'local-kms audit log: who called what')
  printAudit(join(dataDir, 'audit.log'), { [build.secretId]: 'build', [runtime.secretId]: 'runtime' }, keyId)

  step(7, 'Least privilege: each identity is refused what it does not need')
  const provider = (credential) => core.createTencentProvider({ endpoint: kms.endpoint, credential })
  await refusal('runtime identity → Encrypt', () =>
    provider(runtime).encrypt({ keyId, plaintext: new TextEncoder().encode('x') }),
  )
  const blob = (await provider(build).encrypt({ keyId, plaintext: new TextEncoder().encode('x') })).ciphertextBlob
  await refusal('build identity → Decrypt', () => provider(build).decrypt({ ciphertextBlob: blob }))

  step(8, 'Stop the server and local-kms, remove temp dirs')
}

async function cleanup() {
  for (const fn of cleanups.splice(0)) {
    try {
      await fn()
    } catch (e) {
      console.error(`  cleanup: ${e?.message ?? e}`)
    }
  }
}

process.once('SIGINT', () => cleanup().then(() => process.exit(130)))

try {
  await main()
  await cleanup()
  ok('done — the demo finished cleanly')
} catch (e) {
  await cleanup()
  console.error(`\n✗ demo failed: ${e?.message ?? e}`)
  if (e?.hint) console.error(`  hint: ${e.hint}`)
  process.exitCode = 1
}
