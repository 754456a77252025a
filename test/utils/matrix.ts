import { existsSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Bundler,
  build,
  entryFileName,
  type OutputFormat,
  outputFormats,
  type SourceMapMode,
  sourceMapModes,
} from '@kms-secrets/testkit/build'
import { scanForCanaries, textHasCanary, walkFiles } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildFailure, errorCodesIn } from './errors.js'
import { copyFixtureApp, expectedDigest, fixtureCanaries, makeTempDir } from './fixture.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './kms.js'
import { parseDigest, runNode } from './run.js'

/**
 * CommonJS output, as packages/unplugin documents it (option `sync`, default `'auto'`): webpack/rspack run top-level
 * await in `commonjs2` through their async-module runtime; esbuild `format: 'cjs'` and rolldown with a CJS output known
 * before the build (`rolldown.build({ output })`) make the plugin generate a synchronous decrypt; rollup learns the
 * format only after the build, so `cjs` fails with ERR_PLUGIN_OUTPUT_FORMAT unless `sync: true` is set.
 */
export const cjsSupport: Record<Bundler, 'works' | 'needs-sync'> = {
  vite: 'needs-sync',
  rollup: 'needs-sync',
  rolldown: 'works',
  esbuild: 'works',
  webpack: 'works',
  rspack: 'works',
}

/** Bundlers that keep a persistent cache on disk in these builds (it must be scanned, so it must exist). */
const diskCache: Bundler[] = ['webpack', 'rspack']

interface Combo {
  format: OutputFormat
  sourcemap: SourceMapMode
  /** Extra plugin options. */
  sync?: true
  expect: 'works' | 'rejected'
}

function combos(bundler: Bundler): Combo[] {
  const out: Combo[] = []
  for (const format of outputFormats[bundler]) {
    const needsSync = format === 'cjs' && cjsSupport[bundler] === 'needs-sync'
    if (needsSync) out.push({ format, sourcemap: 'external', expect: 'rejected' })
    for (const sourcemap of sourceMapModes) {
      out.push(needsSync ? { format, sourcemap, sync: true, expect: 'works' } : { format, sourcemap, expect: 'works' })
    }
  }
  return out
}

function comboName(c: Combo): string {
  const what =
    c.expect === 'works'
      ? 'no plaintext in output or cache, decrypts at start'
      : 'refused with ERR_PLUGIN_OUTPUT_FORMAT (no sync option)'
  return `${c.format}${c.sync ? ' sync:true' : ''} sourcemap=${c.sourcemap}: ${what}`
}

function expectSourceMapMode(outDir: string, entry: string, mode: SourceMapMode): void {
  const maps = walkFiles(outDir).filter((f) => f.endsWith('.map'))
  const inline = readFileSync(entry, 'utf8').includes('sourceMappingURL=data:')
  if (mode === 'off') expect({ maps: maps.length, inline }).toEqual({ maps: 0, inline: false })
  if (mode === 'external') expect(maps.length).toBeGreaterThan(0)
  if (mode === 'inline') expect(inline).toBe(true)
}

/** The e2e matrix for one bundler: every output format × source-map mode, built, leak-scanned and run. */
export function describeMatrix(bundler: Bundler): void {
  const kms = useKms()
  const keyId = kms.keyIds[bundler]
  let work: string
  let app: string

  beforeAll(() => {
    work = makeTempDir(`matrix-${bundler}`)
    app = copyFixtureApp(work)
  })
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  describe(bundler, () => {
    for (const combo of combos(bundler)) {
      const { format, sourcemap } = combo
      test(comboName(combo), async () => {
        const name = `${format}-${sourcemap}-${combo.expect}`
        const outDir = join(work, `out-${name}`)
        const cacheDir = join(work, `cache-${name}`)
        const plugin = combo.sync ? { keyId, sync: true } : { keyId }
        const options = { root: app, entry: 'src/server.js', outDir, cacheDir, format, sourcemap, plugin }
        const canaries = fixtureCanaries(app)
        const sealsBefore = auditFor(kms, keyId, 'GenerateDataKey').length
        const run = withEnv(buildEnvVars(kms, kms.identities.build), () => build[bundler](options))

        if (combo.expect === 'rejected') {
          expect(errorCodesIn(await buildFailure(run))).toContain('ERR_PLUGIN_OUTPUT_FORMAT')
          expect(existsSync(join(outDir, entryFileName(format)))).toBe(false)
          expect(scanForCanaries([outDir, cacheDir], canaries).hits).toEqual([])
          return
        }
        const { entryFile } = await run
        // At most one GenerateDataKey per build per CMK, however many secret files.
        expect(auditFor(kms, keyId, 'GenerateDataKey').length - sealsBefore).toBe(1)

        const scan = scanForCanaries([outDir, cacheDir], canaries)
        expect(scan.hits).toEqual([])
        expect(scan.files).toBeGreaterThan(0)
        // The persistent cache holds the generated secret modules (the envelope), so scanning it means something.
        if (diskCache.includes(bundler)) {
          expect(walkFiles(cacheDir).some((f) => readFileSync(f).includes('kmsSecrets'))).toBe(true)
        }
        expect(readFileSync(entryFile, 'utf8')).toContain('kmsSecrets')
        expectSourceMapMode(outDir, entryFile, sourcemap)

        const decryptsBefore = auditFor(kms, keyId, 'Decrypt').length
        const result = await runNode(entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
        expect(parseDigest(result)).toEqual(expectedDigest(app))
        expect(result.code).toBe(0)
        expect(textHasCanary(result.stderr, canaries)).toEqual([])
        // One Decrypt per process start: all secret files of a build share one wrapped data key.
        expect(auditFor(kms, keyId, 'Decrypt').length - decryptsBefore).toBe(1)

        // A service manager may start the server from any working directory (systemd's default is /).
        if (format === 'cjs' && sourcemap === 'off') {
          const elsewhere = await runNode(entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }), {
            cwd: tmpdir(),
          })
          expect(parseDigest(elsewhere)).toEqual(expectedDigest(app))
        }
      })
    }
  })
}
