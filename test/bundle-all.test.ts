import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileWebpackLike } from '@kms-secrets/testkit/build'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import { build as rolldownBuild } from 'rolldown'
import { rollup } from 'rollup'
import kmsRolldown from 'unplugin-kms-secrets/rolldown'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { esbuildEverything } from './utils/bundle-all.js'
import { copyFixtureApp, expectedDigest, fixtureCanaries } from './utils/fixture.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest, runNode } from './utils/run.js'

/**
 * Configs that bundle EVERYTHING (no `packages: 'external'`, no node-resolve), then ship only `dist/`: the runtime and
 * its Tencent SDK transport are inlined, and the output must run from a directory with no node_modules at all.
 * (esbuild's default for `platform: 'node'` is CommonJS, which decrypts on the runtime's worker thread.)
 */
const kms = useKms()
const keyId = kms.keyIds.bundleAll
let work: string
let app: string
let expected: Record<string, unknown>
let canaries: string[]

beforeAll(() => {
  // Outside the repository: no node_modules above the app holds the runtime, as in a project that only installed
  // the plugin (the plugin then imports its own runtime by path and the bundler inlines it).
  work = mkdtempSync(join(tmpdir(), 'kms-secrets-bundle-all-'))
  app = copyFixtureApp(work)
  expected = expectedDigest(app)
  canaries = fixtureCanaries(app)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const builds = {
  'esbuild, format esm': async (outDir: string) => {
    await esbuildEverything({ app, entry: 'src/server.js', outfile: join(outDir, 'server.mjs'), keyId, format: 'esm' })
    return 'server.mjs'
  },
  'esbuild, default format (CommonJS)': async (outDir: string) => {
    await esbuildEverything({ app, entry: 'src/server.js', outfile: join(outDir, 'server.js'), keyId })
    return 'server.js'
  },
  'rollup without node-resolve': async (outDir: string) => {
    const bundle = await rollup({
      input: join(app, 'src/server.js'),
      plugins: [kmsRollup({ keyId })],
      logLevel: 'silent',
    })
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'server.mjs' })
    await bundle.close()
    return 'server.mjs'
  },
  'rollup without node-resolve, format cjs (sync: true)': async (outDir: string) => {
    const plugins = [kmsRollup({ keyId, sync: true })]
    const bundle = await rollup({ input: join(app, 'src/server.js'), plugins, logLevel: 'silent' })
    await bundle.write({ dir: outDir, format: 'cjs', entryFileNames: 'server.cjs' })
    await bundle.close()
    return 'server.cjs'
  },
  'rolldown, format cjs': async (outDir: string) => {
    await rolldownBuild({
      input: join(app, 'src/server.js'),
      platform: 'node',
      logLevel: 'silent',
      plugins: [kmsRolldown({ keyId })],
      output: { dir: outDir, format: 'cjs', entryFileNames: 'server.cjs' },
    })
    return 'server.cjs'
  },
  'webpack, commonjs2 (sync: true)': (outDir: string) => webpackLikeCjs('webpack', outDir, { keyId, sync: true }),
  'webpack, commonjs2, topLevelAwait off': (outDir: string) =>
    webpackLikeCjs('webpack', outDir, { keyId }, { topLevelAwait: false }),
  'rspack, commonjs2 (sync: true)': (outDir: string) => webpackLikeCjs('rspack', outDir, { keyId, sync: true }),
  'rspack, commonjs2, topLevelAwait off': (outDir: string) =>
    webpackLikeCjs('rspack', outDir, { keyId }, { topLevelAwait: false }),
}

/** webpack/rspack with everything bundled (target node, no externals): CommonJS output with a synchronous decrypt. */
async function webpackLikeCjs(
  kind: 'webpack' | 'rspack',
  outDir: string,
  options: { keyId: string; sync?: true },
  experiments?: { topLevelAwait: false },
): Promise<string> {
  const stats = await compileWebpackLike(kind, {
    mode: 'production',
    context: app,
    entry: join(app, 'src/server.js'),
    target: 'node20',
    output: { path: outDir, filename: 'server.cjs', library: { type: 'commonjs2' } },
    optimization: { minimize: false },
    ...(experiments ? { experiments } : {}),
    infrastructureLogging: { level: 'error' },
    plugins: [kind === 'webpack' ? kmsWebpack(options) : kmsRspack(options)],
  })
  if (stats?.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }))
  return 'server.cjs'
}

describe('fully bundled output runs with no node_modules next to it', () => {
  for (const [name, run] of Object.entries(builds)) {
    test(name, async () => {
      const slug = name.replace(/\W+/g, '-')
      const outDir = join(work, `out-${slug}`)
      const before = auditFor(kms, keyId, 'Decrypt').length
      const entry = await withEnv(buildEnvVars(kms, kms.identities.build), () => run(outDir))
      expect(scanForCanaries([outDir], canaries).hits).toEqual([])
      // Deploy: only dist/ goes to the server, into a directory no node_modules lookup can reach into ours.
      const server = mkdtempSync(join(tmpdir(), 'kms-secrets-deploy-'))
      const deployed = join(server, 'dist')
      mkdirSync(deployed)
      cpSync(outDir, deployed, { recursive: true })
      expect(readdirSync(deployed)).toContain(entry)
      // CommonJS output decrypts on a worker thread: its file ships next to the bundle that inlined the runtime.
      if (entry.endsWith('.cjs') || entry === 'server.js')
        expect(readdirSync(deployed)).toContain('kms-secrets-worker.cjs')
      try {
        const result = await runNode(join(deployed, entry), kmsEnv(kms, kms.identities.runtime))
        expect(parseDigest(result)).toEqual(expected)
      } finally {
        rmSync(server, { recursive: true, force: true })
      }
      expect(auditFor(kms, keyId, 'Decrypt').length - before).toBe(1)
    })
  }
})

test('a value that public code also contains (localhost, a region) is not a leak when the runtime is inlined', async () => {
  // The inlined runtime carries the Tencent SDK, whose code contains "localhost" and "ap-guangzhou".
  const net = { host: 'localhost', region: 'ap-guangzhou', token: 'net-canary-token-7c1e' }
  writeFileSync(join(app, 'config/net.secret.json'), JSON.stringify(net))
  writeFileSync(
    join(app, 'src/net.js'),
    "import net from '../config/net.secret.json'\nconsole.log(JSON.stringify({ kmsSecretsDigest: net }))\n",
  )
  const outDir = join(work, 'out-public-values')
  const outfile = join(outDir, 'net.mjs')
  await withEnv(buildEnvVars(kms, kms.identities.build), () =>
    esbuildEverything({ app, entry: 'src/net.js', outfile, keyId, format: 'esm' }),
  )
  expect(scanForCanaries([outDir], [net.token]).hits).toEqual([])
  expect(parseDigest(await runNode(outfile, kmsEnv(kms, kms.identities.runtime)))).toEqual(net)
})
