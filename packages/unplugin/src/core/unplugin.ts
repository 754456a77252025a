import { isKmsSecretsError } from '@kms-secrets/core'
import {
  createUnplugin,
  type UnpluginBuildContext,
  type UnpluginContext,
  type UnpluginContextMeta,
  type UnpluginFactory,
  type UnpluginInstance,
  type UnpluginOptions,
} from 'unplugin'
import { configureEsbuild, type EsbuildState, esbuildLoadFilter, esbuildTarget, setupEsbuild } from './bundlers/esbuild'
import { createRollupHooks, type RollupLikeContext, type RollupState, rollupTarget } from './bundlers/rollup'
import { checkPublicDir, denySecretFiles, markBuildPhase, type ViteLoadContext, viteTarget } from './bundlers/vite'
import { applyWebpackHooks, type WebpackNative, webpackTarget } from './bundlers/webpack'
import { createContext, type LoadTarget, type SecretsContext } from './context'
import { extraDenyGlobs, type GuardedServer, guardDevServer } from './dev-server-guard'
import { splitId } from './guards'
import type { Options } from './options'
import { projectRootOf } from './project-root'
import { toBundlerError } from './report'
import { claimOf, kmsDataImportError, loadableRE } from './secret-claims'
import { createSecretIndex, type SecretIndex } from './secret-index'
import { createSecretResolver, fromVirtualSecretId, secretHotUpdate, virtualSecretIdRE } from './virtual-id'

type HookThis = UnpluginBuildContext & UnpluginContext

/** A stand-in module for a secret in a client build; the build fails at buildEnd, so it is never emitted. */
const clientStub = 'export default undefined;\n'

/** What the hooks learn about the build as it goes (bundler options, dev or build). */
interface BuildState extends RollupState {
  esbuild: EsbuildState
  rolldownPlatform: string | undefined
  serving: boolean
  /** Secret files under any of their names (hard links, kept symlinks). */
  secrets: SecretIndex
}

function targetFor(
  ctx: SecretsContext,
  meta: UnpluginContextMeta,
  state: BuildState,
  self: HookThis,
  id: string,
  loadOptions?: { ssr?: boolean },
): LoadTarget {
  switch (meta.framework) {
    case 'vite':
      return viteTarget(ctx, self as unknown as ViteLoadContext, id, loadOptions)
    case 'esbuild':
      return esbuildTarget(ctx, state.esbuild, id)
    case 'webpack':
    case 'rspack':
      return webpackTarget(ctx, meta.framework, self.getNativeBuildContext?.() as unknown as WebpackNative)
    default:
      return rollupTarget(ctx, state, meta.framework === 'rolldown' ? state.rolldownPlatform : undefined)
  }
}

/** The load hook: the generated module for a secret id, or a typed build error. */
function createLoadHandler(ctx: SecretsContext, meta: UnpluginContextMeta, state: BuildState) {
  return async function handler(this: HookThis, id: string, loadOptions?: { ssr?: boolean }) {
    // rollup family: `\0kms-secret:<path>.js` (see virtual-id.ts); the module graph knows it by that id.
    const real = fromVirtualSecretId(id)
    // Not on vite's dev server: there `hotUpdate` maps the edited file to this module, and an added watch file becomes
    // an import that resolves back to this very id, a self-import Astro's dev CSS crawl recurses on forever.
    if (real !== undefined && !(meta.framework === 'vite' && state.serving)) this.addWatchFile(real)
    const fileId = real ?? id
    const claim = claimOf(ctx, state.secrets, fileId)
    if (claim === undefined) return undefined
    if (claim === 'kms-data') return fail(this, meta, kmsDataImportError(ctx.relativeId(splitId(fileId).path)))
    const target = targetFor(ctx, meta, state, this, id, loadOptions)
    try {
      const { code, warnings } = await ctx.load(fileId, target)
      for (const warning of warnings) this.warn(`${warning} (${ctx.relativeId(fileId)})`)
      // moduleType: vite 8 and rolldown would otherwise parse the JS as JSON (not in unplugin's type).
      return { code, moduleType: 'js' } as { code: string }
    } catch (error) {
      const deferrable = !state.serving && ['vite', 'rolldown', 'rspack'].includes(meta.framework)
      if (deferrable && isKmsSecretsError(error) && error.code === 'ERR_PLUGIN_CLIENT_BUNDLE') {
        state.clientDeferred.set(meta.framework === 'rspack' ? splitId(id).path : id, String(target.client))
        return { code: clientStub, moduleType: 'js' } as { code: string }
      }
      return fail(this, meta, error)
    }
  }
}

/** rollup, rolldown and vite: the build-phase hooks plus each one's own (vite config, rolldown platform). */
function rollupFamilyHooks(ctx: SecretsContext, state: BuildState) {
  const shared = createRollupHooks(ctx, state)
  const rootFromInput = (input: { input?: unknown }) => {
    const root = projectRootOf(input.input)
    if (root !== undefined) ctx.setRoot(root)
  }
  const resolveId = createSecretResolver(ctx, state.secrets)
  return {
    rollup: cast<UnpluginOptions['rollup']>({ ...shared, resolveId, options: rootFromInput }),
    rolldown: cast<UnpluginOptions['rolldown']>({
      ...shared,
      resolveId,
      options(input: { platform?: string; input?: unknown }) {
        rootFromInput(input)
        state.rolldownPlatform = input.platform
      },
    }),
    vite: cast<UnpluginOptions['vite']>({
      ...shared,
      resolveId,
      hotUpdate: secretHotUpdate,
      config(config: { root?: string; server?: { fs?: { deny?: string[] } } }, env?: { command?: string }) {
        markBuildPhase(env?.command)
        const { server } = denySecretFiles(config)
        // Only a dev server reads the deny list: a build skips the walk for local-kms data dirs it needs.
        const extra = env?.command === 'build' ? [] : extraDenyGlobs(ctx, config.root)
        return { server: { fs: { deny: [...(server?.fs?.deny ?? []), ...extra] } } }
      },
      // Called here, not in a returned post hook: the guard must run before vite's static and transform middlewares.
      configureServer: (server: GuardedServer) => guardDevServer(ctx, state.secrets, server),
      configResolved(config: { root: string; command: 'build' | 'serve'; publicDir: string | false }) {
        ctx.setRoot(config.root)
        checkPublicDir(ctx, state.secrets, config)
        ctx.setMode(config.command)
        state.serving = config.command === 'serve'
      },
    }),
  }
}

/** The unplugin factory: wires hooks to the context, nothing else. */
export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (options, meta) => {
  const ctx = createContext(options)
  const state: BuildState = {
    esbuild: { options: {}, importers: new Map() },
    rolldownPlatform: undefined,
    serving: false,
    secrets: createSecretIndex(ctx),
    clientDeferred: new Map(),
    outputFormat: undefined,
    built: false,
  }
  return {
    name: 'unplugin-kms-secrets',
    // Before vite's asset/json plugins, so `?raw`/`?url` of a secret reach our guard first.
    enforce: 'pre',
    buildStart() {
      ctx.buildStart()
      state.clientDeferred.clear()
    },
    buildEnd() {
      ctx.buildEnd()
    },
    // The exact include/exclude (globs resolved against the root, `?query` stripped) is a function; webpack/rspack
    // and esbuild use it to pick modules, rolldown/vite additionally skip every other extension natively.
    loadInclude: (id) => claimOf(ctx, state.secrets, fromVirtualSecretId(id) ?? id) !== undefined,
    // Other `\0` ids may match loadableRE: claimOf leaves them alone.
    load: {
      filter: { id: { include: [loadableRE, virtualSecretIdRE] } },
      handler: createLoadHandler(ctx, meta, state),
    },
    ...rollupFamilyHooks(ctx, state),
    esbuild: {
      loader: 'js',
      onLoadFilter: esbuildLoadFilter,
      config: (o) => configureEsbuild(ctx, state.esbuild, o),
      setup: (build) => setupEsbuild(ctx, state.esbuild, build),
    },
    webpack: (compiler) => applyWebpackHooks(ctx, compiler),
    rspack: (compiler) => applyWebpackHooks(ctx, compiler, state.clientDeferred),
  }
}

/** The rollup-family hooks are typed by the few context members they use, not by each bundler's full types. */
function cast<T>(hooks: object): T {
  return hooks as T
}

/**
 * Reports a load failure. rollup/rolldown/vite: `this.error()` (throws, adds plugin and hook). webpack/rspack:
 * their `this.error()` only records an error and continues, and esbuild's is collected with the result, so the
 * error is thrown instead: the loader/onLoad turns it into a build error for this module.
 */
function fail(self: HookThis, meta: UnpluginContextMeta, error: unknown): never {
  const e = toBundlerError(error)
  if (meta.framework === 'rollup' || meta.framework === 'vite' || meta.framework === 'rolldown') {
    ;(self as unknown as RollupLikeContext).error(e)
  }
  throw e
}

/** The unplugin instance: `.vite()`, `.rollup()`, `.rolldown()`, `.esbuild()`, `.webpack()`, `.rspack()`. */
export const kmsSecrets: UnpluginInstance<Options | undefined, false> = /* #__PURE__ */ createUnplugin(unpluginFactory)
