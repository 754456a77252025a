import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadEsbuild } from './support/esbuild.js'

/**
 * What a user's server bundle gains from the runtime: src/index.ts bundled with esbuild, minified, platform node,
 * the Tencent SDK external (it is the transport, counted separately: ~550 KB minified, see toolchain notes).
 * Measured with esbuild 0.28.2: 24 694 bytes ESM, 25 413 bytes CJS — core's open path is ~15 KB of that.
 */
const budgetBytes = 30_000

const esbuild = loadEsbuild()

describe.skipIf(esbuild === undefined)('size budget', () => {
  it.each(['esm', 'cjs'] as const)(
    `minified %s bundle of src/index.ts stays under ${budgetBytes} bytes`,
    async (format) => {
      const result = await esbuild!.build({
        entryPoints: [resolve(import.meta.dirname, '../src/index.ts')],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node20',
        format,
        external: ['tencentcloud-sdk-nodejs-common'],
        write: false,
        logLevel: 'silent',
      })
      const bytes = result.outputFiles[0]!.contents.byteLength
      expect(bytes).toBeLessThan(budgetBytes)
      // Nothing build-side may sneak in (parsers, sealing, leak scanner).
      const text = result.outputFiles[0]!.text
      const markers = [
        'aesGcmSeal',
        'generateDataKey({',
        'collectLeaves',
        'from"yaml"',
        'require("yaml")',
        'dotenv',
        'audit.log',
      ]
      expect(markers.filter((m) => text.includes(m))).toEqual([])
    },
  )
})
