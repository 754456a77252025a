import { spawn, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { connect } from 'node:net'
import { join } from 'node:path'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import { freePort } from '@kms-secrets/testkit/process'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { copyFixtureApp, expectedDigest, fixtureCanaries, makeTempDir, repoDir } from './utils/fixture.js'
import { runHost, workerdBinary } from './utils/hosts.js'
import { auditFor, kmsEnv, useKms } from './utils/kms.js'

/**
 * Issue 11, Cloudflare Workers: workerd forbids I/O (fetch, timers, random) at global scope, so a Worker cannot use
 * the plugin's generated modules (top-level await). It opens secrets on the first request instead: the sealed files
 * are imported as the JSON they are, and the runtime's `createSecretOpener().open()` decrypts them inside `fetch`.
 * The Worker runs in workerd on 127.0.0.1 with an outbound service that allows only loopback (local-kms), and its
 * text bindings as process.env (nodejs_compat, the default since 2026-08-04). Needs the runtime's fetch + WebCrypto
 * transport: the Tencent SDK transport failed inside workerd ("Cannot read properties of null (reading 'has')").
 */
const kms = useKms()
const keyId = kms.keyIds.workerd
const files = ['config/db.secret.json', 'config/settings.secret.yaml', 'config/token.secret.txt']
let work: string
let expected: Record<string, unknown>
let canaries: string[]

const worker = `import { createSecretOpener } from '@kms-secrets/runtime'
import db from '../config/db.secret.json'
import settings from '../config/settings.secret.yaml'
import token from '../config/token.secret.txt'

let secrets
function openAll() {
  const opener = createSecretOpener()
  const open = (envelope, file) => opener.open(envelope, { file })
  return Promise.all([
    open(db, 'config/db.secret.json'),
    open(settings, 'config/settings.secret.yaml'),
    open(token, 'config/token.secret.txt'),
  ]).then(([db, settings, token]) => ({ db, settings, token }))
}

export default {
  async fetch() {
    secrets ??= openAll()
    try {
      return Response.json({ kmsSecretsDigest: await secrets })
    } catch (e) {
      return new Response(String(e), { status: 500 })
    }
  },
}
`

function capnp(env: Record<string, string>): string {
  const bindings = Object.entries(env).map(
    ([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`,
  )
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .app), (name = "loopback", network = (allow = ["local"])) ],
  sockets = [ (name = "http", http = (), service = "main") ],
);
const app :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
  bindings = [ ${bindings.join(', ')} ],
);
`
}

beforeAll(async () => {
  // Inside test/ so that the Worker's bare imports resolve from test/node_modules when esbuild bundles it.
  work = makeTempDir('workerd')
  const app = copyFixtureApp(work)
  const all = expectedDigest(app)
  expected = { db: all.db, settings: all.settings, token: all.token }
  canaries = fixtureCanaries(app)
  // Sealed on disk with the real CLI, as the build identity: the Worker build itself needs no credentials.
  const cli = join(repoDir, 'packages/cli/bin/kms-secrets.mjs')
  const sealed = await runHost(
    [process.execPath, cli, 'encrypt', ...files, '--key-id', keyId, '-i'],
    kmsEnv(kms, kms.identities.build),
    {
      cwd: app,
    },
  )
  expect(sealed.code, sealed.stderr).toBe(0)
  writeFileSync(join(app, 'src/worker.js'), worker)
  // As wrangler bundles a Worker: ESM, neutral platform with the workerd/worker/browser conditions, node builtins
  // left to nodejs_compat. A sealed file is JSON whatever its extension.
  await esbuild.build({
    entryPoints: [join(app, 'src/worker.js')],
    absWorkingDir: app,
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*', 'node:*', ...builtinModules],
    loader: { '.yaml': 'json', '.txt': 'json' },
    outfile: join(work, 'out/worker.mjs'),
    logLevel: 'silent',
  })
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Resolves once something accepts connections on 127.0.0.1:port; rejects if `failed()` says the server is gone. */
async function waitForPort(port: number, failed: () => string | undefined, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (ok) return
    const why = failed()
    if (why !== undefined || Date.now() > deadline)
      throw new Error(`workerd did not listen on ${port}: ${why ?? 'timeout'}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Why workerd cannot run on this machine (the binary is installed, see utils/hosts.ts, but e.g. libc is too old). */
function workerdCannotStart(): string | undefined {
  const r = spawnSync(workerdBinary(), ['--version'], { encoding: 'utf8' })
  if (r.error) return r.error.message
  return r.status === 0 ? undefined : `workerd --version exited with ${r.status}: ${r.stderr.trim()}`
}
const cannotStart = workerdCannotStart()

test.skipIf(cannotStart !== undefined)(
  `${cannotStart ? `[skipped: workerd cannot start here: ${cannotStart}] ` : ''}a Worker opens its secrets on the first request under workerd, with one Decrypt`,
  async () => {
    const port = await freePort()
    const runtime = kms.identities.runtime
    writeFileSync(
      join(work, 'out/config.capnp'),
      capnp({
        KMS_SECRETS_ENDPOINT: kms.endpoint,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
        TENCENTCLOUD_SECRET_ID: runtime.secretId,
        TENCENTCLOUD_SECRET_KEY: runtime.secretKey,
      }),
    )
    const config = join(work, 'out/config.capnp')
    const child = spawn(workerdBinary(), ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    let exited: string | undefined
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      log += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      log += d
    })
    child.on('exit', (code, signal) => {
      exited = `exited with ${code ?? signal}; output:\n${log}`
    })
    const before = auditFor(kms, keyId).length
    try {
      await waitForPort(port, () => exited)
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) }).catch(
          (e: unknown) => {
            throw new Error(`no answer from workerd (${String(e)}); its output:\n${log}`)
          },
        )
        const body = await res.text()
        expect(res.status, `${body}\nworkerd: ${log}`).toBe(200)
        expect((JSON.parse(body) as { kmsSecretsDigest: unknown }).kmsSecretsDigest).toEqual(expected)
      }
    } finally {
      child.kill('SIGTERM')
    }
    const calls = auditFor(kms, keyId).slice(before)
    expect(calls.map((c) => [c.action, c.code, c.secretId])).toEqual([['Decrypt', 'OK', runtime.secretId]])
    expect(scanForCanaries([join(work, 'out')], canaries).hits).toEqual([])
  },
)
