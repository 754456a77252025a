import { isEnvelopeText } from '@kms-secrets/core'
import { assetReferenceCodeRE, checkAssetReferences, secretFileCopies } from '../asset-guard'
import type { LoadTarget, SecretsContext } from '../context'
import { clientBundleError, outputFormatError, supportsTopLevelAwait } from '../guards'
import { isPublicModule, type LeakHit, leakError, type OutputAsset } from '../leak'
import { toBundlerError } from '../report'
import { readSyncWorkerSync, runtimeInlined, syncWorkerFileName } from '../sync-worker'
import { fromVirtualSecretId } from '../virtual-id'

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

/** Importers of a module up to an entry, nearest first (first importer at each step; cycles stop the walk). */
export function importerChain(getInfo: RollupLikeContext['getModuleInfo'], id: string, max = 20): string[] {
  const chain: string[] = []
  const seen = new Set([id])
  let current = id
  while (chain.length < max) {
    const info = getInfo(current)
    const next = info?.importers.find((i) => !seen.has(i))
    if (info === null || info?.isEntry || next === undefined) break
    chain.push(next)
    seen.add(next)
    current = next
  }
  return chain
}

function* assetsOf(bundle: Record<string, BundleItem>): Generator<OutputAsset> {
  for (const item of Object.values(bundle)) {
    if (item.type === 'chunk') {
      yield { name: item.fileName, content: item.code }
      if (item.map) yield { name: `${item.fileName}.map`, content: JSON.stringify(item.map) }
    } else {
      yield { name: item.fileName, content: item.source }
    }
  }
}

/**
 * Plaintext secret files some plugin copied into the output as assets (`new URL('./db.secret.json',
 * import.meta.url)`, `?url`, copy plugins): caught even when this build never loaded the file. A copied sealed
 * envelope is only ciphertext and passes.
 */
function copiedSecrets(ctx: SecretsContext, bundle: Record<string, BundleItem>): LeakHit[] {
  const hits: LeakHit[] = []
  for (const item of Object.values(bundle)) {
    if (item.type !== 'asset') continue
    const original = item.originalFileNames?.find((f) => ctx.matches(f))
    if (original === undefined) continue
    const text = typeof item.source === 'string' ? item.source : new TextDecoder().decode(item.source)
    if (isEnvelopeText(text)) continue
    hits.push({ asset: item.fileName, file: ctx.relativeId(original), path: '$', encoding: 'raw' })
  }
  return hits
}

/** Code of the build's dependency modules (what `scanAssets` treats as public). */
function* moduleSources(ctx: SecretsContext, plugin: RollupLikeContext): Generator<string | undefined> {
  for (const id of plugin.getModuleIds()) {
    if (isPublicModule(id, (f) => ctx.matches(f))) yield plugin.getModuleInfo(id)?.code ?? undefined
  }
}

/** What the rollup-family hooks learn during a build. */
export interface RollupState {
  /** Client-guard violations (id → bundler setting), reported at buildEnd with their importer chain. */
  clientDeferred: Map<string, string>
  /** The output format when it is known before the build (`rolldown.build({ output })`, vite's config). */
  outputFormat: string | undefined
  /** Between buildEnd and the next buildStart. */
  built: boolean
}

/** Load target for rollup and rolldown: no platform notion in rollup; sync code when the format is known as CJS. */
export function rollupTarget(ctx: SecretsContext, state: RollupState, platform: string | undefined): LoadTarget {
  const knownCjs = state.outputFormat !== undefined && !supportsTopLevelAwait(state.outputFormat)
  return {
    client: platform === 'browser' ? `rolldown platform: 'browser'` : false,
    sync: ctx.options.sync === 'auto' ? knownCjs : ctx.options.sync,
  }
}

/**
 * Build-phase hooks shared by rollup, rolldown and vite: the deferred client-bundle guard (module importers are
 * only complete at buildEnd), the output-format check for top-level await, and the end-of-build leak check.
 */
export function createRollupHooks(ctx: SecretsContext, state: RollupState) {
  const { clientDeferred } = state
  return {
    buildStart() {
      ctx.buildStart()
      clientDeferred.clear()
      state.built = false
    },
    buildEnd(this: RollupLikeContext) {
      ctx.buildEnd()
      state.built = true
      const first = clientDeferred.entries().next().value
      if (first === undefined) return
      const [id, where] = first
      clientDeferred.clear()
      const chain = importerChain(this.getModuleInfo, id).map((i) => ctx.relativeId(i))
      this.error(toBundlerError(clientBundleError(ctx.relativeId(fromVirtualSecretId(id) ?? id), chain, where)))
    },
    // `rolldown.build({ output })` calls this before the build: the format then picks sync code in load. After a
    // build (rollup, `bundle.write()`), it runs before rolldown's own, less helpful, INVALID_TLA_FORMAT check.
    outputOptions(this: RollupLikeContext, output: { format?: string }) {
      if (!state.built) {
        state.outputFormat = output.format
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
        const copied = copiedSecrets(ctx, bundle)
        if (copied.length > 0) this.error(toBundlerError(leakError(copied)))
        if (ctx.options.leakCheck) {
          const hits = ctx.scanAssets(assetsOf(bundle), () => moduleSources(ctx, this))
          hits.push(...secretFileCopies(ctx, assetsOf(bundle)))
          if (hits.length > 0) this.error(toBundlerError(leakError(hits)))
        }
        if (ctx.syncFiles.size > 0 && !(syncWorkerFileName in bundle) && runtimeInlined(this.getModuleIds())) {
          this.emitFile({ type: 'asset', fileName: syncWorkerFileName, source: readSyncWorkerSync() })
        }
      },
    },
    closeBundle() {
      ctx.endLeakCheck()
    },
  }
}
