import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { isEnvelopeText } from '@kms-secrets/core'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import { freePort } from '@kms-secrets/testkit/process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyExample, exampleSecrets, startExample } from './utils/example.js'
import { makeTempDir, testDir } from './utils/fixture.js'
import { auditFor, kmsEnv, useKms } from './utils/kms.js'
import { readmeCommands } from './utils/readme.js'

const kms = useKms()
let work: string

beforeAll(() => {
  work = makeTempDir('readme')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Starts the built example with the runtime identity and checks it answers with the decrypted db user. */
async function expectServes(dir: string, dbUser: unknown): Promise<void> {
  const server = await startExample(dir, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
  try {
    const body = (await (await fetch(`${server.url}/`)).json()) as { ok: boolean; db: { user: string } }
    expect(body).toMatchObject({ ok: true, db: { user: dbUser } })
  } finally {
    await server.stop()
  }
}

/** PATH as a user has it after `pnpm add -D @kms-secrets/cli` in their project: the project's bins first. */
function pathFor(dir: string): string {
  return [join(dir, 'node_modules', '.bin'), join(testDir, 'node_modules', '.bin'), process.env.PATH].join(delimiter)
}

/** Runs README lines in one bash (so `export`s carry over), stopping at the first failure. */
function bash(lines: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', lines.join('\n')], { cwd, env, encoding: 'utf8' })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

describe('README commands, run as written', () => {
  test('sealed on disk: `kms-secrets encrypt … -i`, then `pnpm build` with no credentials and no KMS call', async () => {
    const dir = copyExample('rollup-node', work)
    const secrets = exampleSecrets(dir)
    const keyId = kms.keyIds.examples
    const lines = readmeCommands('sealed-on-disk').filter((l) => !l.startsWith('git '))
    const seal = lines.filter((l) => l.startsWith('kms-secrets '))
    const build = lines.filter((l) => !l.startsWith('kms-secrets '))
    expect(build).toEqual(['pnpm build'])

    const sealed = bash(seal, dir, kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: keyId, PATH: pathFor(dir) }))
    expect(sealed.status, sealed.out).toBe(0)
    for (const f of ['db.secret.json', 'api.secret.txt']) {
      expect(isEnvelopeText(readFileSync(join(dir, 'config', f), 'utf8'))).toBe(true)
    }
    expect(scanForCanaries([join(dir, 'config')], secrets.canaries).hits).toEqual([])

    const calls = auditFor(kms, keyId).length
    const noCredentials = { PATH: pathFor(dir), HOME: work, KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:9' }
    const built = bash(build, dir, noCredentials)
    expect(built.status, built.out).toBe(0)
    expect(auditFor(kms, keyId).length).toBe(calls)
    expect(scanForCanaries([join(dir, 'dist')], secrets.canaries).hits).toEqual([])

    await expectServes(dir, secrets.db.user)
  })

  test('project key: `init` (one identity), `encrypt -i` and `pnpm build` with no credentials, one Decrypt per start', async () => {
    const dir = copyExample('rollup-node', join(work, 'project'))
    const secrets = exampleSecrets(dir)
    const keyId = kms.keyIds.readmeProject
    const lines = readmeCommands('project-key').filter((l) => !l.startsWith('git '))
    const init = lines.filter((l) => l.startsWith('kms-secrets init'))
    const seal = lines.filter((l) => l.startsWith('kms-secrets encrypt'))
    expect(lines).toEqual([...init, ...seal, 'pnpm build'])

    const env = { KMS_SECRETS_KEY_ID: keyId, PATH: pathFor(dir) }
    const inited = bash(init, dir, kmsEnv(kms, kms.identities.projectInit, env))
    expect(inited.status, inited.out).toBe(0)
    const calls = auditFor(kms, keyId).length
    // Everything after init: no credentials and an endpoint where nothing listens.
    const noCredentials = { PATH: pathFor(dir), HOME: work, KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:9' }
    const sealed = bash([...seal, 'pnpm build'], dir, noCredentials)
    expect(sealed.status, sealed.out).toBe(0)
    expect(auditFor(kms, keyId).length).toBe(calls)
    for (const f of ['db.secret.json', 'api.secret.txt']) {
      expect(JSON.parse(readFileSync(join(dir, 'config', f), 'utf8'))).toMatchObject({ mode: 'project' })
    }
    expect(scanForCanaries([join(dir, 'config'), join(dir, 'dist')], secrets.canaries).hits).toEqual([])

    await expectServes(dir, secrets.db.user)
    expect(
      auditFor(kms, keyId)
        .slice(calls)
        .map((c) => `${c.action}:${c.code}`),
    ).toEqual(['Decrypt:OK'])
  })

  test('local development: `kms-secrets local-kms`, then create a key and `pnpm build` against it', async () => {
    const dir = copyExample('esbuild-node', work)
    const secrets = exampleSecrets(dir)
    const port = String(await freePort())
    const [start, ...more] = readmeCommands('local-kms')
    expect(more).toEqual([])
    const env = { PATH: pathFor(dir), HOME: work }
    const server = spawn('bash', ['-c', `exec ${start!.replace('4599', port)}`], { cwd: dir, env })
    try {
      await waitForLine(server, /^local-kms listening on http:\/\/127\.0\.0\.1:(\d+)$/m)
      const dev = readmeCommands('local-dev').map((l) => l.replace('4599', port))
      const built = bash(dev, dir, env)
      expect(built.status, built.out).toBe(0)
      expect(scanForCanaries([join(dir, 'dist')], secrets.canaries).hits).toEqual([])
      // The data dir is the per-user state dir of the (temp) HOME, never inside the project.
      const dataDir = join(work, '.local', 'state', 'kms-secrets', 'local-kms')
      const printed = spawnSync('kms-secrets', ['local-kms', '--print-data-dir'], { cwd: dir, env, encoding: 'utf8' })
      expect(printed.stdout).toBe(`${dataDir}\n`)
      const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8')
      expect(audit.match(/"action":"GenerateDataKey"/g)).toHaveLength(1)
      expect(existsSync(join(dir, '.kms-local'))).toBe(false)
    } finally {
      server.kill('SIGTERM')
      await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(null)))
    }
  })
})

function waitForLine(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}:\n${out}`)), 20_000)
    const onData = (d: Buffer) => {
      out += d
      const m = re.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[0])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => {
      out += d
    })
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${re}:\n${out}`)))
  })
}
