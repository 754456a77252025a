import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { esbuildEverything } from './utils/bundle-all.js'
import { copyFixtureApp, expectedDigest, fixtureCanaries } from './utils/fixture.js'
import { bunBinary, denoBinary, nodeBinary, runHost } from './utils/hosts.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest } from './utils/run.js'

/**
 * Issue 11, hosts: ONE server bundle (esbuild, ESM, everything inlined including the runtime, built outside the
 * repository and deployed alone) with json, yaml, env and text secret imports runs, decrypts and prints the right
 * values on Node 20 (this process), Node 22 and 24, Bun and Deno — each a separate process with only a decrypt-only
 * identity, and each making exactly one KMS Decrypt. The binaries are devDependencies of this package (see
 * utils/hosts.ts), so `pnpm install --frozen-lockfile` on a clean CI machine brings them.
 */
const kms = useKms()
const keyId = kms.keyIds.hosts
const port = new URL(kms.endpoint).port
let work: string
let deployed: string
let expected: Record<string, unknown>
let canaries: string[]

interface Host {
  name: string
  /** The command that runs a file (the file is appended). */
  run: () => string[]
  /** The command that prints the host's version, and what it must print. */
  version: () => string[]
  expectVersion: RegExp
}

const hosts: Host[] = [
  {
    // The node that runs the tests: Node 20 in CI (.ci/run on a machine with only Node 20 and npm).
    name: `Node ${process.versions.node.split('.')[0]} (this process)`,
    run: () => [process.execPath],
    version: () => [process.execPath, '--version'],
    expectVersion: new RegExp(`^${process.version.replaceAll('.', '\\.')}$`),
  },
  {
    name: 'Node 22',
    run: () => [nodeBinary('node22')],
    version: () => [nodeBinary('node22'), '--version'],
    expectVersion: /^v22\./,
  },
  {
    name: 'Node 24',
    run: () => [nodeBinary('node24')],
    version: () => [nodeBinary('node24'), '--version'],
    expectVersion: /^v24\./,
  },
  { name: 'Bun', run: () => [bunBinary()], version: () => [bunBinary(), '--version'], expectVersion: /^1\.4\.5$/ },
  {
    name: 'Deno',
    // The least Deno needs today: the KMS endpoint and the environment (credentials, endpoint, region). No file
    // reads, no other host. `--allow-env` cannot name the variables yet: the Tencent SDK transport lists them all.
    run: () => [denoBinary(), 'run', `--allow-net=127.0.0.1:${port}`, '--allow-env'],
    version: () => [denoBinary(), '--version'],
    expectVersion: /^deno 2\.9\.6 /,
  },
]

beforeAll(async () => {
  // Built outside the repository, so no node_modules above the app holds the runtime: the bundle must carry it.
  work = mkdtempSync(join(tmpdir(), 'kms-secrets-hosts-'))
  const app = copyFixtureApp(work)
  expected = expectedDigest(app)
  canaries = fixtureCanaries(app)
  const outDir = join(work, 'out')
  await withEnv(buildEnvVars(kms, kms.identities.build), () =>
    esbuildEverything({ app, entry: 'src/server.js', outfile: join(outDir, 'server.mjs'), keyId, format: 'esm' }),
  )
  expect(scanForCanaries([outDir], canaries).hits).toEqual([])
  // Deploy: only the built file goes to the "server", a directory with no node_modules anywhere above it.
  deployed = join(work, 'server')
  mkdirSync(deployed)
  cpSync(outDir, deployed, { recursive: true })
  expect(readdirSync(deployed)).toEqual(['server.mjs'])
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the same built server bundle on every host', () => {
  for (const host of hosts) {
    test(host.name, async () => {
      const version = await runHost(host.version(), { PATH: process.env.PATH }, { cwd: deployed })
      expect(version.stdout.trim()).toMatch(host.expectVersion)

      const before = auditFor(kms, keyId)
      // A decrypt-only identity, nothing else from the test's environment. Deno gets a scratch DENO_DIR (no HOME).
      const hostEnv = kmsEnv(kms, kms.identities.runtime, {
        NO_COLOR: '1',
        DENO_DIR: join(work, 'deno-dir'),
        DENO_NO_UPDATE_CHECK: '1',
      })
      const result = await runHost([...host.run(), join(deployed, 'server.mjs')], hostEnv, { cwd: deployed })
      expect(parseDigest(result)).toEqual(expected)
      expect(result.code, result.stderr).toBe(0)
      // Values live only in the captured stdout line: never on stderr (warnings, errors).
      expect(canaries.filter((c) => result.stderr.includes(c))).toEqual([])

      const calls = auditFor(kms, keyId).slice(before.length)
      expect(calls.map((c) => [c.action, c.code, c.secretId])).toEqual([
        ['Decrypt', 'OK', kms.identities.runtime.secretId],
      ])
    })
  }
})
