import { spawn } from 'node:child_process'
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Bundler, build } from '@kms-secrets/testkit/build'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import * as esbuild from 'esbuild'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyFixtureApp, expectedDigest, fixtureCanaries, fixtureSecretFiles, makeTempDir } from './utils/fixture.js'
import { type AuditEntry, auditFor, buildEnvVars, type KmsInfo, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest, runNode } from './utils/run.js'
import type { Identity, KeyName } from './utils/seed.js'

/**
 * Issue 12, done means: with a project key (kms-secrets.json), files sealed offline at different times by people with
 * no credentials, an `edit`, plaintext files sealed by the plugin at build with no credentials, and old-style files
 * moved by `rekey` all open with ONE KMS call per server start (local-kms audit log) — on a symmetric, an RSA_2048
 * and an SM2 CMK. Real local-kms over HTTP, the real CLI binary, real bundler builds, the built server in a child.
 */
const kms = useKms()
const cliBin = fileURLToPath(new URL('../packages/cli/bin/kms-secrets.mjs', import.meta.url))
const editor = fileURLToPath(new URL('../packages/cli/test/fixtures/editor.mjs', import.meta.url))
/** Nothing listens there: a KMS call from a step that must make none fails it. */
const nowhere = 'http://127.0.0.1:9'

interface Cli {
  code: number | null
  stdout: string
  stderr: string
}

/** The real `kms-secrets` bin in a child with a clean env: `who` undefined → no credentials at all. */
function cli(args: string[], cwd: string, who: Identity | undefined, extra: Record<string, string> = {}): Promise<Cli> {
  const endpoint = who === undefined ? nowhere : kms.endpoint
  const env = { ...kmsEnv(kms, who, { HOME: cwd, NO_COLOR: '1', ...extra }), KMS_SECRETS_ENDPOINT: endpoint }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function ok(r: Promise<Cli>): Promise<Cli> {
  const res = await r
  expect(res.stderr + res.stdout).not.toMatch(/canary/i)
  if (res.code !== 0) throw new Error(`kms-secrets exited ${res.code}: ${res.stderr}`)
  return res
}

interface Cmk {
  kind: string
  key: KeyName
  init: keyof KmsInfo['identities']
  runtime: keyof KmsInfo['identities']
  action: string
}

const cmks: Cmk[] = [
  { kind: 'symmetric', key: 'projectSym', init: 'projectInit', runtime: 'runtime', action: 'Decrypt' },
  {
    kind: 'RSA_2048',
    key: 'projectRsa',
    init: 'projectInitAsym',
    runtime: 'runtimeRsa',
    action: 'AsymmetricRsaDecrypt',
  },
  { kind: 'SM2', key: 'projectSm2', init: 'projectInitAsym', runtime: 'runtimeSm2', action: 'AsymmetricSm2Decrypt' },
]

/** KMS calls on these CMKs (this file owns the project CMKs and the old-style one). */
function auditForKeys(ids: Set<string>): AuditEntry[] {
  return [...ids].flatMap((id) => auditFor(kms, id))
}

let work: string
let canaries: string[]
beforeAll(() => {
  work = makeTempDir('project-key')
  canaries = fixtureCanaries(copyFixtureApp(join(work, 'canaries')))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Builds with no credentials and an unreachable endpoint; returns the entry file. */
async function buildApp(
  bundler: Bundler,
  app: string,
  name: string,
  plaintext?: 'error',
  format: 'esm' | 'cjs' = 'esm',
): Promise<string> {
  const outDir = join(app, '..', `out-${name}`)
  const options = {
    root: app,
    entry: 'src/server.js',
    outDir,
    cacheDir: join(app, '..', `cache-${name}`),
    format,
    sourcemap: 'off' as const,
    plugin: plaintext ? { plaintext } : {},
  }
  const noCredentials = { ...buildEnvVars(kms, undefined), KMS_SECRETS_ENDPOINT: nowhere }
  const { entryFile } = await withEnv(noCredentials, () => build[bundler](options))
  expect(scanForCanaries([outDir], canaries).hits).toEqual([])
  return entryFile
}

/** Starts the built server as the CMK's runtime identity; returns its digest and the KMS calls it made. */
async function start(cmk: Cmk, entryFile: string) {
  const { run, calls } = await startRaw(cmk, entryFile)
  return { digest: parseDigest(run), calls }
}

async function startRaw(cmk: Cmk, entryFile: string) {
  const keys = new Set([kms.keyIds[cmk.key], kms.keyIds.projectOld])
  const seen = new Set(auditForKeys(keys).map((c) => c.requestId))
  const run = await runNode(entryFile, kmsEnv(kms, kms.identities[cmk.runtime], { HOME: work }))
  const calls = auditForKeys(keys).filter((c) => !seen.has(c.requestId))
  return { run, calls: calls.map((c) => `${c.action}:${c.code}`) }
}

const require = createRequire(import.meta.url)
const runtimeFile = (subpath: string) => readFileSync(require.resolve(subpath))

/**
 * esbuild CommonJS with everything inlined (no credentials), deployed alone into a temp dir no node_modules lookup
 * reaches: the bundle opens through the kms-secrets-worker.cjs the plugin wrote next to it. Returns the entry file.
 */
async function buildInlinedCjs(app: string, name: string): Promise<{ entry: string; server: string }> {
  const outDir = join(app, '..', `out-${name}`)
  const noCredentials = { ...buildEnvVars(kms, undefined), KMS_SECRETS_ENDPOINT: nowhere }
  await withEnv(noCredentials, () =>
    esbuild.build({
      entryPoints: [join(app, 'src/server.js')],
      absWorkingDir: app,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(outDir, 'server.cjs'),
      logLevel: 'silent',
      plugins: [kmsEsbuild({ plaintext: 'error' })],
    }),
  )
  expect(scanForCanaries([outDir], canaries).hits).toEqual([])
  const server = mkdtempSync(join(tmpdir(), 'kms-secrets-project-cjs-'))
  cpSync(outDir, server, { recursive: true })
  return { entry: join(server, 'server.cjs'), server }
}

describe.each(cmks)('project key on a $kind CMK', (cmk) => {
  const keyId = kms.keyIds[cmk.key]
  let project: string

  beforeAll(async () => {
    // init once; kms-secrets.json is committed and copied into each app below.
    project = join(work, cmk.key)
    copyFixtureApp(project)
    const n = auditFor(kms, keyId).length
    await ok(cli(['init', '--key-id', keyId, '--context', 'app=e2e'], join(project, 'app'), kms.identities[cmk.init]))
    // Symmetric: DescribeKey + Encrypt. Asymmetric: the identity may only GetPublicKey (DescribeKey is refused), and
    // the private key never reaches KMS (wrapped locally with the CMK's public key).
    const granted = auditFor(kms, keyId)
      .slice(n)
      .filter((c) => c.code === 'OK')
      .map((c) => c.action)
    expect(granted).toEqual(cmk.action === 'Decrypt' ? ['DescribeKey', 'Encrypt'] : ['GetPublicKey'])
    const file = JSON.parse(readFileSync(join(project, 'app', 'kms-secrets.json'), 'utf8'))
    expect(file).toMatchObject({ keyId, context: { app: 'e2e' } })
  })

  test('three files sealed offline at different times with no credentials, plus one edit → one KMS call per start', async () => {
    const app = join(project, 'app')
    const expected = expectedDigest(app) as { db: Record<string, unknown>; dbUser: unknown }
    const n = auditFor(kms, keyId).length
    // Three developers, three days, no credentials: each `encrypt -i` is offline.
    const [db, settings, env, token] = fixtureSecretFiles
    await ok(cli(['encrypt', db, settings, '-i'], app, undefined))
    await ok(cli(['encrypt', env, '-i'], app, undefined))
    await ok(cli(['encrypt', token, '-i'], app, undefined))
    expect(auditFor(kms, keyId).length).toBe(n)
    const envs = fixtureSecretFiles.map((f) => JSON.parse(readFileSync(join(app, f), 'utf8')))
    expect(envs.every((e) => e.mode === 'project' && e.kms.keyId === keyId)).toBe(true)
    expect(new Set(envs.map((e) => e.enc)).size).toBe(4)

    // edit: one unwrap (by the runtime identity of this CMK), re-sealed offline.
    const log = join(project, 'editor.log')
    const edited = await ok(
      cli(['edit', db], app, kms.identities[cmk.runtime], {
        EDITOR: `node "${editor}" replace canary_user_8d2f canary_user_edited_${cmk.key}`,
        EDITOR_LOG: log,
      }),
    )
    expect(edited.stderr).toContain('re-sealed')
    expect(
      auditFor(kms, keyId)
        .slice(n)
        .map((c) => c.action),
    ).toEqual([cmk.action])
    expected.db = { ...expected.db, user: `canary_user_edited_${cmk.key}` }
    expected.dbUser = `canary_user_edited_${cmk.key}`

    // Build with no credentials (sealed files only: plaintext 'error'), then start: ONE KMS call.
    const before = auditFor(kms, keyId).length
    const entry = await buildApp('esbuild', app, 'sealed', 'error')
    expect(auditFor(kms, keyId).length).toBe(before)
    const run = await start(cmk, entry)
    expect(run.digest).toEqual(expected)
    expect(run.calls).toEqual([`${cmk.action}:OK`])

    // CommonJS with the runtime inlined (issue 11): the plugin wrote the worker WITH mode "project" next to it.
    const { entry: cjs, server } = await buildInlinedCjs(app, 'sealed-cjs')
    try {
      const workerFile = join(server, 'kms-secrets-worker.cjs')
      expect(readFileSync(workerFile).equals(runtimeFile('@kms-secrets/runtime/worker-standalone'))).toBe(true)
      const cjsRun = await start(cmk, cjs)
      expect(cjsRun.digest).toEqual(expected)
      expect(cjsRun.calls).toEqual([`${cmk.action}:OK`])
      // The lean worker (what a build without project-key secrets gets) in its place: a typed failure saying which
      // file to deploy, before any KMS call, with no plaintext on either stream.
      copyFileSync(require.resolve('@kms-secrets/runtime/worker-standalone-lean'), workerFile)
      const lean = await startRaw(cmk, cjs)
      expect(lean.run.code).not.toBe(0)
      // (node also prints the throwing line of the minified worker: match the printed error and its hint field.)
      expect(lean.run.stderr).toMatch(
        /\[ERR_PROJECT_KEY\] Could not open config\/[\w.]+: It is sealed with a project key/,
      )
      expect(lean.run.stderr).toMatch(
        /hint: 'Rebuild with unplugin-kms-secrets .* deploy @kms-secrets\/runtime\/worker-standalone as kms-secrets-worker\.cjs\.'/,
      )
      expect(lean.calls).toEqual([])
      for (const c of canaries) expect(lean.run.stdout + lean.run.stderr).not.toContain(c)
    } finally {
      rmSync(server, { recursive: true, force: true })
    }
  })

  test('plaintext files sealed at build by the plugin: no credentials, no KMS call at build, one call per start', async () => {
    const dir = join(work, `${cmk.key}-plain`)
    const app = copyFixtureApp(dir)
    copyFileSync(join(project, 'app', 'kms-secrets.json'), join(app, 'kms-secrets.json'))
    const expected = expectedDigest(app)
    const before = auditFor(kms, keyId).length
    const entry = await buildApp('vite', app, 'plain')
    expect(auditFor(kms, keyId).length).toBe(before)
    // Two starts: each is one KMS call (one per process), whatever the number of files.
    for (let i = 0; i < 2; i++) {
      const run = await start(cmk, entry)
      expect(run.digest).toEqual(expected)
      expect(run.calls).toEqual([`${cmk.action}:OK`])
    }
    // CommonJS output (openSecretSync: the worker thread opens): the same one call.
    const cjs = await buildApp('esbuild', app, 'plain-cjs', undefined, 'cjs')
    expect(auditFor(kms, keyId).length).toBe(before + 2)
    const run = await start(cmk, cjs)
    expect(run.digest).toEqual(expected)
    expect(run.calls).toEqual([`${cmk.action}:OK`])
  })

  test('rekey of files sealed the old way (a data key per call) → one KMS call per start', async () => {
    const dir = join(work, `${cmk.key}-rekey`)
    const app = copyFixtureApp(dir)
    const expected = expectedDigest(app)
    const old = kms.keyIds.projectOld
    // Old style, before the project key: three `encrypt` calls, three data keys → three Decrypts per start.
    const [db, settings, env, token] = fixtureSecretFiles
    for (const files of [[db, settings], [env], [token]]) {
      await ok(cli(['encrypt', ...files, '--key-id', old, '-i'], app, kms.identities.build))
    }
    const oldEntry = await buildApp('rollup', app, 'old', 'error')
    const oldRun = await start({ ...cmk, runtime: 'runtime' }, oldEntry)
    expect(oldRun.digest).toEqual(expected)
    expect(oldRun.calls).toEqual(['Decrypt:OK', 'Decrypt:OK', 'Decrypt:OK'])

    // kms-secrets.json arrives; rekey opens each old blob once (Decrypt on the old CMK) and re-seals offline.
    writeFileSync(join(app, 'kms-secrets.json'), readFileSync(join(project, 'app', 'kms-secrets.json')))
    const n = auditFor(kms, keyId).length
    const r = await ok(cli(['rekey', 'config', '--json'], app, kms.identities.runtime))
    expect(JSON.parse(r.stdout)).toMatchObject({ kmsCalls: 3 })
    expect(auditFor(kms, keyId).length).toBe(n)
    expect(scanForCanaries([join(app, 'config')], canaries).hits).toEqual([])

    const entry = await buildApp('rollup', app, 'rekeyed', 'error')
    const run = await start(cmk, entry)
    expect(run.digest).toEqual(expected)
    expect(run.calls).toEqual([`${cmk.action}:OK`])
  })
})
