import { writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import kmsRolldown from 'unplugin-kms-secrets/rolldown'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsVite from 'unplugin-kms-secrets/vite'
import * as vite from 'vite'
import { type BuildOptions, type BuildOutput, type Bundler, entryFileName } from './build-types.js'
import { buildWebpackLike } from './build-webpack.js'

export {
  type BuildOptions,
  type BuildOutput,
  type Bundler,
  bundlers,
  entryFileName,
  type OutputFormat,
  outputFormats,
  type PluginOptions,
  type SourceMapMode,
  sourceMapModes,
} from './build-types.js'

/** Bare specifiers stay external for rollup (no node-resolve plugin): they resolve from node_modules at run time. */
const isBare = (id: string): boolean => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')

async function buildVite(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  const client = o.platform === 'browser'
  await vite.build({
    root: o.root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: o.cacheDir,
    customLogger: { ...vite.createLogger('silent'), warn: (m) => void warnings.push(m) },
    plugins: [kmsVite(o.plugin)],
    build: {
      ssr: client ? false : o.entry,
      outDir: o.outDir,
      emptyOutDir: true,
      minify: false,
      manifest: true,
      ssrManifest: !client,
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
      rolldownOptions: {
        ...(client ? { input: join(o.root, o.entry) } : {}),
        output: { format: 'es', entryFileNames: entryFileName('esm') },
      },
    },
  })
  return { entryFile: join(o.outDir, entryFileName('esm')), warnings }
}

async function buildRollup(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  const bundle = await rollup.rollup({
    input: join(o.root, o.entry),
    external: isBare,
    plugins: [kmsRollup(o.plugin)],
    onwarn: (w) => void warnings.push(w.message),
  })
  try {
    await bundle.write({
      dir: o.outDir,
      format: o.format === 'esm' ? 'es' : 'cjs',
      entryFileNames: entryFileName(o.format),
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
    })
  } finally {
    await bundle.close()
  }
  return { entryFile: join(o.outDir, entryFileName(o.format)), warnings }
}

async function buildRolldown(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  await rolldown.build({
    input: join(o.root, o.entry),
    platform: o.platform ?? 'node',
    plugins: [kmsRolldown(o.plugin)],
    onLog: (level, log) => void (level === 'warn' && warnings.push(log.message)),
    output: {
      dir: o.outDir,
      format: o.format,
      entryFileNames: entryFileName(o.format),
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
    },
  })
  return { entryFile: join(o.outDir, entryFileName(o.format)), warnings }
}

async function buildEsbuild(o: BuildOptions): Promise<BuildOutput> {
  const entryFile = join(o.outDir, entryFileName(o.format))
  const result = await esbuild.build({
    entryPoints: [join(o.root, o.entry)],
    absWorkingDir: o.root,
    bundle: true,
    platform: o.platform ?? 'node',
    format: o.format,
    target: 'node20',
    outfile: entryFile,
    packages: 'external',
    sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [kmsEsbuild(o.plugin)],
  })
  writeFileSync(join(o.outDir, 'metafile.json'), JSON.stringify(result.metafile))
  return { entryFile, warnings: result.warnings.map((w) => w.text) }
}

export const build: Record<Bundler, (o: BuildOptions) => Promise<BuildOutput>> = {
  vite: buildVite,
  rollup: buildRollup,
  rolldown: buildRolldown,
  esbuild: buildEsbuild,
  webpack: (o) => buildWebpackLike('webpack', o),
  rspack: (o) => buildWebpackLike('rspack', o),
}

export { BundlerError } from './build-webpack.js'
