import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import kmsRolldown from 'unplugin-kms-secrets/rolldown'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsVite from 'unplugin-kms-secrets/vite'
import * as vite from 'vite'
import { type BuildOptions, type BuildOutput, type Bundler, entryFileName, isBare } from './build-types.js'
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

/** `o.plugins` when given, else the plugin made from `o.plugin` by `make`. */
const pluginsOf = <P>(o: BuildOptions, make: (options: BuildOptions['plugin']) => P): P[] =>
  o.plugins === undefined ? [make(o.plugin)] : (o.plugins as P[])

async function buildVite(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  const client = o.platform === 'browser'
  await vite.build({
    root: o.root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: o.cacheDir,
    customLogger: { ...vite.createLogger('silent'), warn: (m) => void warnings.push(m) },
    plugins: pluginsOf(o, kmsVite),
    // As an installed dependency the runtime is external in vite's SSR build by default; a linked workspace package is
    // bundled: 'bare' makes every bare import external, as for the other bundlers.
    ...(o.externals === 'bare' ? { ssr: { external: true } } : {}),
    build: {
      ssr: client ? false : o.entry,
      outDir: o.outDir,
      emptyOutDir: true,
      minify: false,
      manifest: o.extras !== false,
      ssrManifest: !client && o.extras !== false,
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
    // Bare imports stay external (no node-resolve plugin): they resolve from node_modules at run time.
    external: isBare,
    plugins: pluginsOf(o, kmsRollup),
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
    cwd: o.root,
    platform: o.platform ?? 'node',
    ...(o.externals === 'bare' ? { external: isBare } : {}),
    plugins: pluginsOf(o, kmsRolldown),
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
    metafile: o.extras !== false,
    logLevel: 'silent',
    plugins: pluginsOf(o, kmsEsbuild),
  })
  if (o.extras !== false) writeFileSync(join(o.outDir, 'metafile.json'), JSON.stringify(result.metafile))
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

export { BundlerError, compileWebpackLike, type WebpackLikeStats } from './build-webpack.js'
