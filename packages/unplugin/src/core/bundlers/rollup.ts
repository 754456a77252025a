import type { UnpluginOptions } from 'unplugin'
import { assetReferenceCodeRE, checkAssetReferences, createSecretCopyCheck, type EmittedAsset } from '../asset-guard'
import type { LoadTarget, SecretsContext } from '../context'
import { clientBundleError, outputFormatError, supportsTopLevelAwait } from '../guards'
import { importerChain } from '../importer-chain'
import { isPublicModule, leakError } from '../leak'
import { unpluginLoadHooks } from '../load'
import { projectRootOf } from '../project-root'
import { toBundlerError } from '../report'
import { readSyncWorker, runtimeInlined, syncWorkerFileName } from '../sync-worker'
import { createSecretResolver, fromVirtualSecretId } from '../virtual-id'
import { type Adapter, cast, failWithThisError } from './adapter'

/** The parts of the rollup/rolldown/vite plugin context these hooks use. */
export interface RollupLikeContext {
  error(error: unknown): never
  getModuleInfo(id: string): { importers: readonly string[]; isEntry: boolean; code?: string | null } | null
  getModuleIds(): IterableIterator<string>
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string
}

type BundleItem =
  | { type: 'chunk'; fileName: string; code: string; map?: unknown }
  | { type: 'asset'; fileName: string; source: string | Uint8Array; originalFileNames?: readonly string[] }

/** The rollup-family module graph in the one importer-walker shape (ids as nodes). */
function moduleGraphOf(ctx: SecretsContext, plugin: RollupLikeContext) {
  return {
    importersOf: (id: string) => plugin.getModuleInfo(id)?.importers ?? [],
    isEntry: (id: string) => plugin.getModuleInfo(id)?.isEntry === true,
    nameOf: (id: string) => ctx.relativeId(fromVirtualSecretId(id) ?? id),
  }
}

/**
 * The bundle's outputs: assets with the files they were copied from; chunks and their source maps only for the leak
 * check (`withChunks`).
 */
function assetsOf(bundle: Record<string, BundleItem>, withChunks: boolean): EmittedAsset[] {
  const assets: EmittedAsset[] = []
  for (const item of Object.values(bundle)) {
    if (item.type === 'chunk') {
      if (!withChunks) continue
      assets.push({ name: item.fileName, content: item.code })
      if (item.map) assets.push({ name: `${item.fileName}.map`, content: JSON.stringify(item.map) })
    } else {
      assets.push({ name: item.fileName, content: item.source, from: item.originalFileNames })
    }
  }
  return assets
}

/** Code of the build's dependency modules (what `scanAssets` treats as public). */
function* moduleSources(ctx: SecretsContext, plugin: RollupLikeContext): Generator<string | undefined> {
  for (const id of plugin.getModuleIds()) {
    if (isPublicModule(id, (f) => ctx.matches(f))) yield plugin.getModuleInfo(id)?.code ?? undefined
  }
}

/** Load target for rollup and rolldown: no platform notion in rollup; sync code when the format is known as CJS. */
function rollupTarget(ctx: SecretsContext): LoadTarget {
  const { outputFormat, platform } = ctx.bundler
  const knownCjs = outputFormat !== undefined && !supportsTopLevelAwait(outputFormat)
  return {
    client: platform === 'browser' ? `rolldown platform: 'browser'` : false,
    sync: ctx.options.sync === 'auto' ? knownCjs : ctx.options.sync,
  }
}

/**
 * Build-phase hooks shared by rollup, rolldown and vite: the deferred client-bundle guard (module importers are
 * only complete at buildEnd), the output-format check for top-level await, and the end-of-build leak check.
 */
export function rollupFamilyHooks(ctx: SecretsContext) {
  // One walk of the project per build, shared by its outputs (a bundle written as ESM and CommonJS, say).
  const copies = createSecretCopyCheck(ctx)
  return {
    resolveId: createSecretResolver(ctx),
    buildStart() {
      copies.end()
      ctx.buildStart()
    },
    buildEnd(this: RollupLikeContext) {
      ctx.buildEnd()
      const first = ctx.clientDeferred.entries().next().value
      if (first === undefined) return
      const [id, where] = first
      ctx.clientDeferred.clear()
      const chain = importerChain(moduleGraphOf(ctx, this), id)
      this.error(toBundlerError(clientBundleError(ctx.relativeId(fromVirtualSecretId(id) ?? id), chain, where)))
    },
    // `rolldown.build({ output })` calls this before the build: the format then picks sync code in load. After a
    // build (rollup, `bundle.write()`), it runs before rolldown's own, less helpful, INVALID_TLA_FORMAT check.
    outputOptions(this: RollupLikeContext, output: { format?: string }) {
      if (!ctx.built) {
        ctx.bundler.outputFormat = output.format
        return null
      }
      if (ctx.asyncFiles.size === 0 || supportsTopLevelAwait(output.format)) return null
      this.error(toBundlerError(outputFormatError(String(output.format), [...ctx.asyncFiles])))
    },
    // Before vite's asset plugins (enforce: 'pre'): they read `new URL()`/CSS `url()` files without a load hook.
    transform: {
      filter: { code: assetReferenceCodeRE },
      handler(this: RollupLikeContext, code: string, id: string) {
        if (id.includes('\0')) return null
        try {
          checkAssetReferences(ctx, code, id)
        } catch (error) {
          this.error(toBundlerError(error))
        }
        return null
      },
    },
    generateBundle: {
      // Last, so that assets other plugins add in generateBundle (HTML, manifests) are searched too.
      order: 'post' as const,
      handler(this: RollupLikeContext, _output: unknown, bundle: Record<string, BundleItem>) {
        const assets = assetsOf(bundle, ctx.options.leakCheck)
        const hits = ctx.options.leakCheck ? ctx.scanAssets(assets, () => moduleSources(ctx, this)) : []
        hits.push(...copies.check(assets))
        if (hits.length > 0) this.error(toBundlerError(leakError(hits)))
        if (ctx.syncFiles.size > 0 && !(syncWorkerFileName in bundle) && runtimeInlined(this.getModuleIds())) {
          this.emitFile({ type: 'asset', fileName: syncWorkerFileName, source: readSyncWorker(ctx) })
        }
      },
    },
    closeBundle() {
      ctx.endLeakCheck()
      copies.end()
    },
  }
}

/** rollup and rolldown have no root option: the project root is found from the input. */
function rootFromInput(ctx: SecretsContext, input: { input?: unknown }): void {
  const root = projectRootOf(input.input)
  if (root !== undefined) ctx.setRoot(root)
}

export const rollupAdapter: Adapter = {
  target: rollupTarget,
  fail: failWithThisError,
  // rollup has no platform option: no secret is refused as part of a browser build.
  defersClientGuard: () => false,
  hooks: (ctx) => ({
    ...unpluginLoadHooks(ctx, rollupAdapter),
    rollup: cast<UnpluginOptions['rollup']>({
      ...rollupFamilyHooks(ctx),
      options: (input: { input?: unknown }) => rootFromInput(ctx, input),
    }),
  }),
}

export const rolldownAdapter: Adapter = {
  target: rollupTarget,
  fail: failWithThisError,
  // The module graph is only complete at buildEnd: a browser build fails there, naming the importer chain.
  defersClientGuard: () => true,
  hooks: (ctx) => ({
    ...unpluginLoadHooks(ctx, rolldownAdapter),
    rolldown: cast<UnpluginOptions['rolldown']>({
      ...rollupFamilyHooks(ctx),
      options(input: { platform?: string; input?: unknown }) {
        rootFromInput(ctx, input)
        ctx.bundler.platform = input.platform
      },
    }),
  }),
}
