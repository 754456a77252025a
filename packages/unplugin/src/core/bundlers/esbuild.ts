import { readFile, rm } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import process from 'node:process'
import { secretExtensionPattern } from '@kms-secrets/core'
import type { EsbuildPlugin } from 'unplugin'
import { createSecretCopyCheck, type SecretCopyCheck } from '../asset-guard'
import type { LoadTarget, SecretsContext } from '../context'
import { splitId } from '../guards'
import { importerChain } from '../importer-chain'
import { fileSources, type LeakHit, leakError, leakingAssets, type OutputAsset } from '../leak'
import { unpluginLoadHooks } from '../load'
import { errorText } from '../report'
import { type Adapter, failByThrowing, type LoadHost } from './adapter'
import { writeSyncWorker } from './esbuild-worker'

type PluginBuild = Parameters<EsbuildPlugin['setup']>[0]
type BuildOptions = PluginBuild['initialOptions']
type BuildResult = Parameters<Parameters<PluginBuild['onEnd']>[0]>[0]

/**
 * esbuild's onLoad filter runs in Go (RE2: no lookarounds) and sees paths without their `?query`: a cheap superset by
 * extension; the handler applies the exact include/exclude.
 */
export const esbuildLoadFilter: RegExp = new RegExp(`\\.(?:${secretExtensionPattern})$`)
/** The same for import specifiers, which may still carry their `?query`. */
const resolveFilter = new RegExp(`\\.(?:${secretExtensionPattern})(?:\\?|$)`)
/** Only specifiers with a `?query`: the one error outside a browser build that names an importer (checkImportQuery). */
const queryResolveFilter = new RegExp(`\\.(?:${secretExtensionPattern})\\?`)

/** CommonJS-like output: esbuild `format` cjs/iife, or unset while bundling for node/browser (esbuild's defaults). */
function isCommonJsLike(o: BuildOptions): boolean {
  if (o.format !== undefined) return o.format !== 'esm'
  return o.bundle === true && o.platform !== 'neutral'
}

/** Importers recorded by onResolve (esbuild has no module graph to ask), absolute paths as nodes. */
function recordedImporters(ctx: SecretsContext, path: string): string[] {
  return importerChain({ importersOf: (p: string) => ctx.importers.get(p) ?? [], nameOf: ctx.relativeId }, path)
}

function esbuildTarget(ctx: SecretsContext, host: LoadHost, id: string): LoadTarget {
  const native = host.getNativeBuildContext?.() as { build?: PluginBuild } | undefined
  const o = native?.build?.initialOptions ?? {}
  const sync = ctx.options.sync === 'auto' ? isCommonJsLike(o) : ctx.options.sync
  return {
    // `neutral` is allowed: it is also how Deno/Bun/node libraries are built; only `browser` is surely a browser.
    client: o.platform === 'browser' ? `esbuild platform: 'browser'` : false,
    sync,
    runtimeEntry: sync ? 'require' : 'import',
    importers: () => recordedImporters(ctx, splitId(id).path),
  }
}

/** `esbuild.config`: the root; a metafile lists the written outputs for the leak check. */
function configureEsbuild(ctx: SecretsContext, options: BuildOptions): void {
  ctx.setRoot(options.absWorkingDir ?? process.cwd())
  if (ctx.options.leakCheck && options.write !== false) options.metafile = true
}

async function outputsOf(result: BuildResult, cwd: string): Promise<OutputAsset[]> {
  if (result.outputFiles) return result.outputFiles.map((f) => ({ name: relative(cwd, f.path), content: f.contents }))
  const names = Object.keys(result.metafile?.outputs ?? {})
  return Promise.all(names.map(async (name) => ({ name, content: await readFile(resolve(cwd, name)) })))
}

/**
 * The leak check runs in onEnd, after esbuild has written the files (there is no earlier hook with the output). On a
 * hit the leaking files are deleted — a plaintext secret must not stay in the output dir — and the build fails.
 */
async function checkOutputs(ctx: SecretsContext, copies: SecretCopyCheck, options: BuildOptions, result: BuildResult) {
  const cwd = options.absWorkingDir ?? process.cwd()
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map((i) => resolve(cwd, i))
  const outputs = await outputsOf(result, cwd)
  const hits: LeakHit[] = ctx.scanAssets(outputs, () => fileSources((f) => ctx.matches(f), inputs))
  // esbuild records no asset origin: of the copy check, the search for whole secret files applies.
  hits.push(...copies.check(outputs))
  if (hits.length === 0) return undefined
  const written = !result.outputFiles
  if (written) await Promise.all(leakingAssets(hits).map((name) => rm(resolve(cwd, name), { force: true })))
  return { errors: [{ text: errorText(leakError(hits, written)), pluginName: 'unplugin-kms-secrets' }] }
}

/**
 * `esbuild.setup`: the build lifecycle (onStart/onEnd: once per build, also in watch and incremental rebuilds),
 * importers of secret files, the check of the outputs for plaintext at the end of each build.
 */
function setupEsbuild(ctx: SecretsContext, build: PluginBuild): void {
  const copies = createSecretCopyCheck(ctx)
  build.onStart(() => ctx.buildStart())
  // Each onResolve callback is a round trip between esbuild's Go process and node: importers are recorded only for
  // the errors that name them — every secret import of a browser build (client guard), else `?query` imports.
  const filter = build.initialOptions.platform === 'browser' ? resolveFilter : queryResolveFilter
  build.onResolve({ filter }, (args) => {
    if (!args.importer || !/^\.\.?[/\\]|^\//.test(args.path)) return undefined
    const path = resolve(args.resolveDir || dirname(args.importer), splitId(args.path).path)
    ctx.importers.set(path, [...(ctx.importers.get(path) ?? []), args.importer])
    return undefined
  })
  build.onEnd(async (result) => {
    ctx.buildEnd()
    try {
      if (result.errors.length > 0) return undefined
      const leaks = ctx.options.leakCheck ? await checkOutputs(ctx, copies, build.initialOptions, result) : undefined
      // openSecretSync code (CommonJS output) needs the runtime's worker at run time.
      if (leaks === undefined && ctx.syncFiles.size > 0) await writeSyncWorker(ctx, build, result)
      return leaks
    } finally {
      ctx.endLeakCheck()
      copies.end()
    }
  })
}

export const esbuildAdapter: Adapter = {
  target: esbuildTarget,
  fail: failByThrowing,
  // onResolve recorded the importers before onLoad: the error names them at once.
  defersClientGuard: () => false,
  hooks: (ctx) => ({
    ...unpluginLoadHooks(ctx, esbuildAdapter),
    esbuild: {
      loader: 'js',
      onLoadFilter: esbuildLoadFilter,
      config: (o) => configureEsbuild(ctx, o),
      setup: (build) => setupEsbuild(ctx, build),
    },
  }),
}
