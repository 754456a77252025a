import { join } from 'node:path'
import * as esbuild from 'esbuild'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'

/**
 * esbuild with everything bundled (no `packages: 'external'`): the runtime is inlined, so the output runs with no
 * node_modules next to it. `format` undefined is esbuild's default for `platform: 'node'` (CommonJS).
 */
export async function esbuildEverything(o: {
  app: string
  entry: string
  outfile: string
  keyId: string
  format?: 'esm'
}): Promise<void> {
  await esbuild.build({
    entryPoints: [join(o.app, o.entry)],
    absWorkingDir: o.app,
    bundle: true,
    platform: 'node',
    ...(o.format === undefined ? {} : { format: o.format }),
    outfile: o.outfile,
    logLevel: 'silent',
    plugins: [kmsEsbuild({ keyId: o.keyId })],
  })
}
