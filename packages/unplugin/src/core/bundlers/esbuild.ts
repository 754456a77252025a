import { readFile, rm } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import process from 'node:process'
import type { EsbuildPlugin } from 'unplugin'
import { secretFileCopies } from '../asset-guard'
import type { LoadTarget, SecretsContext } from '../context'
import { splitId } from '../guards'
import { fileSources, type LeakHit, leakError, leakingAssets, type OutputAsset } from '../leak'
import { errorText } from '../report'
import { writeSyncWorker } from './esbuild-worker'

type PluginBuild = Parameters<EsbuildPlugin['setup']>[0]
type BuildOptions = PluginBuild['initialOptions']
type BuildResult = Parameters<Parameters<PluginBuild['onEnd']>[0]>[0]

/**
 * esbuild's onLoad filter runs in Go (RE2: no lookarounds) and sees paths without their `?query`: a cheap superset by
 * extension; the handler applies the exact include/exclude.
 */
export const esbuildLoadFilter: RegExp = /\.(?:json|ya?ml|env|txt|pem|key|crt)$/
/** The same for import specifiers, which may still carry their `?query`. */
const resolveFilter = /\.(?:json|ya?ml|env|txt|pem|key|crt)(?:\?|$)/
/** Only specifiers with a `?query`: the one error outside a browser build that names an importer (checkImportQuery). */
const queryResolveFilter = /\.(?:json|ya?ml|env|txt|pem|key|crt)\?/

export interface EsbuildState {
  options: BuildOptions
  /** Direct importers of each secret path seen by onResolve (esbuild's onLoad does not know its importer). */
  importers: Map<string, string[]>
  /** This build generated `openSecretSync` code (CommonJS output): it needs the runtime's worker at run time. */
  syncUsed?: boolean
}

/** CommonJS-like output: esbuild `format` cjs/iife, or unset while bundling for node/browser (esbuild's defaults). */
function isCommonJsLike(o: BuildOptions): boolean {
  if (o.format !== undefined) return o.format !== 'esm'
  return o.bundle === true && o.platform !== 'neutral'
}

export function esbuildTarget(ctx: SecretsContext, state: EsbuildState, id: string): LoadTarget {
  const o = state.options
  const sync = ctx.options.sync === 'auto' ? isCommonJsLike(o) : ctx.options.sync
  if (sync) state.syncUsed = true
  return {
    // `neutral` is allowed: it is also how Deno/Bun/node libraries are built; only `browser` is surely a browser.
    client: o.platform === 'browser' ? `esbuild platform: 'browser'` : false,
    sync,
    runtimeEntry: sync ? 'require' : 'import',
    importers: () => state.importers.get(splitId(id).path) ?? [],
  }
}

/** `esbuild.config`: remember the options; a metafile lists the written outputs for the leak check. */
export function configureEsbuild(ctx: SecretsContext, state: EsbuildState, options: BuildOptions): void {
  state.options = options
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
async function checkOutputs(ctx: SecretsContext, state: EsbuildState, result: BuildResult) {
  const cwd = state.options.absWorkingDir ?? process.cwd()
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map((i) => resolve(cwd, i))
  const outputs = await outputsOf(result, cwd)
  const hits: LeakHit[] = ctx.scanAssets(outputs, () => fileSources((f) => ctx.matches(f), inputs))
  hits.push(...secretFileCopies(ctx, outputs))
  if (hits.length === 0) return undefined
  const written = !result.outputFiles
  if (written) await Promise.all(leakingAssets(hits).map((name) => rm(resolve(cwd, name), { force: true })))
  return { errors: [{ text: errorText(leakError(hits, written)), pluginName: 'unplugin-kms-secrets' }] }
}

/** `esbuild.setup`: record importers of secret files; check the outputs for plaintext at the end of each build. */
export function setupEsbuild(ctx: SecretsContext, state: EsbuildState, build: PluginBuild): void {
  build.onStart(() => {
    state.importers.clear()
    state.syncUsed = false
  })
  // Each onResolve callback is a round trip between esbuild's Go process and node: importers are recorded only for
  // the errors that name them — every secret import of a browser build (client guard), else `?query` imports.
  const filter = build.initialOptions.platform === 'browser' ? resolveFilter : queryResolveFilter
  build.onResolve({ filter }, (args) => {
    if (!args.importer || !/^\.\.?[/\\]|^\//.test(args.path)) return undefined
    const path = resolve(args.resolveDir || dirname(args.importer), splitId(args.path).path)
    state.importers.set(path, [...(state.importers.get(path) ?? []), ctx.relativeId(args.importer)])
    return undefined
  })
  build.onEnd(async (result) => {
    try {
      if (result.errors.length > 0) return undefined
      const leaks = ctx.options.leakCheck ? await checkOutputs(ctx, state, result) : undefined
      if (leaks === undefined && state.syncUsed) await writeSyncWorker(build, result)
      return leaks
    } finally {
      ctx.endLeakCheck()
    }
  })
}
