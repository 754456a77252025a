import { readFileSync } from 'node:fs'
import { basename, isAbsolute, relative, resolve } from 'node:path'
import { type AnyEnvelope, isEnvelopeText } from '@kms-secrets/core'
import { createFilter } from 'unplugin-utils'
import { generateSecretModule } from './codegen'
import { dtsPathFor, renderSecretTypes, writeIfChangedSync } from './dts'
import { checkImportQuery, clientBundleError, secretIdFilter, splitId } from './guards'
import { createLeakTracker, type LeakHit, type LeakTracker, type OutputAsset, type PublicSources } from './leak'
import { type Options, type ResolvedOptions, resolveOptions } from './options'
import { runtimeSpecifierFor } from './runtime-path'
import { createFileSealer } from './seal-file'
import { createSecretIndex, type SecretIndex } from './secret-index'

/** What the bundler knows about the module being loaded. */
export interface LoadTarget {
  /** Set when the bundle runs in a browser (client-bundle guard); names the bundler setting that says so. */
  client?: string | false | undefined
  /** Generate `openSecretSync` code without top-level await. */
  sync: boolean
  /**
   * Which entry of the runtime an absolute import names: `import` (ESM, default) or `require` (CommonJS) for
   * bundlers that read CommonJS natively and convert ESM badly (esbuild empties `import.meta` in CommonJS output).
   */
  runtimeEntry?: 'import' | 'require'
  /** Importers of the module, nearest first (computed only for an error message). */
  importers?: (() => string[]) | undefined
}

export interface LoadResult {
  code: string
  /** Things to tell the user (never a value); the hook passes them to `this.warn()`. */
  warnings: string[]
}

/** What the bundler's options say before any module loads; set by the adapters' option hooks, read by load targets. */
export interface BundlerFacts {
  /** The output format when known before the build (`rolldown.build({ output })`, vite's config). */
  outputFormat?: string | undefined
  /** rolldown's `platform` (`'browser'` trips the client guard). */
  platform?: string | undefined
}

/** Test seams; not user options. */
export interface ContextDeps {
  /** IV source for reproducible snapshots. */
  randomIv?: () => Uint8Array
  /** v2 salt source (32 bytes) for reproducible snapshots. */
  randomSalt?: () => Uint8Array
  env?: Readonly<Record<string, string | undefined>>
}

/** All state and work of the plugin, usable without a bundler (unit tests call it directly). */
export interface SecretsContext {
  readonly options: ResolvedOptions
  /** The project root: the `root` option, else the bundler's (where secret files are looked for). */
  readonly root: string
  /** The bundler's project root (unless the `root` option was given). */
  setRoot(root: string): void
  /** `'serve'` (vite dev): no end-of-build leak check, so no plaintext is kept at all. */
  setMode(mode: 'build' | 'serve'): void
  readonly mode: 'build' | 'serve'
  /** Secret files under any of their names (hard links, kept symlinks). */
  readonly secrets: SecretIndex
  readonly bundler: BundlerFacts
  /**
   * Client-guard violations (id → the bundler setting that makes it a browser build) held until the module graph is
   * complete, where the error can name the importer chain; cleared by buildStart.
   */
  readonly clientDeferred: Map<string, string>
  /** Direct importers of secret paths, for a bundler with no module graph to ask (esbuild's onResolve); cleared by buildStart. */
  readonly importers: Map<string, string[]>
  /** Between buildEnd and the next buildStart. */
  readonly built: boolean
  /** Whether an id (maybe with `?query`) is a secret file of this plugin. */
  matches(id: string): boolean
  relativeId(path: string): string
  /** `text`: the file's content as the bundler already read it (webpack/rspack's loader); else the file is read. */
  load(id: string, target: LoadTarget, text?: string): Promise<LoadResult>
  /** Project-relative secret files loaded with top-level-await code since the build started. */
  readonly asyncFiles: ReadonlySet<string>
  /** Likewise with `openSecretSync` code (CommonJS output): the output needs the runtime's worker file. */
  readonly syncFiles: ReadonlySet<string>
  /** Those of either set sealed with a project key (mode "project"): a CommonJS output needs the full worker file. */
  readonly projectFiles: ReadonlySet<string>
  buildStart(): void
  /** Zeroes the data keys (idempotent); the leak check may still run afterwards. */
  buildEnd(): void
  /** Searches the assets for plaintext this build sealed. Does not clear: call `endLeakCheck()` after the last output. */
  scanAssets(assets: Iterable<OutputAsset>, publicSources?: PublicSources): LeakHit[]
  /** Drops the plaintext values kept for the leak check. */
  endLeakCheck(): void
}

export function createContext(userOptions: Options = {}, deps: ContextDeps = {}): SecretsContext {
  const options = resolveOptions(userOptions, deps.env)
  let root = options.root
  let mode: 'build' | 'serve' = 'build'
  /** Between buildStart and buildEnd. */
  let building = false
  let built = false
  let filter = createFilter(options.include, options.exclude, { resolve: root })
  const leaks: LeakTracker = createLeakTracker(options.leakIgnore)
  const sealing = createFileSealer(options, deps, leaks, {
    get building() {
      return mode === 'build' && building
    },
    get keepValues() {
      return mode === 'build' && options.leakCheck
    },
  })
  const asyncFiles = new Set<string>()
  const syncFiles = new Set<string>()
  const projectFiles = new Set<string>()
  // Resolving the runtime walks node_modules directories: once per root and entry kind, not once per secret file.
  const runtimeSpecs = new Map<string, string>()
  const runtimeSpec = (entry: 'import' | 'require') => {
    const key = `${root}\0${entry}`
    const cached = runtimeSpecs.get(key)
    if (cached !== undefined) return cached
    const spec = runtimeSpecifierFor(root, entry)
    runtimeSpecs.set(key, spec)
    return spec
  }

  const relativeId = (path: string) => {
    const rel = relative(root, path).replaceAll('\\', '/')
    return rel === '' || isAbsolute(rel) ? basename(path) : rel
  }

  // Declarations this process wrote or found current: a rebuild or HMR update re-reads none of them.
  const typesWritten = new Map<string, string>()
  /**
   * The module generated for each file sealed on disk, by path, with the sealed text it came from: a later build
   * that reads the same text skips envelope validation, the declaration and codegen (all determined by the text, the
   * project-relative name, the runtime specifier and sync). Ciphertext only: a plaintext file is never kept here.
   */
  const sealedModules = new Map<
    string,
    { text: string; file: string; spec: string; sync: boolean; code: string; project: boolean }
  >()

  function writeTypes(path: string, envelope: AnyEnvelope, warnings: string[]): void {
    const dts = dtsPathFor(path)
    const content = renderSecretTypes({ file: path, format: envelope.format, shape: envelope.shape })
    if (typesWritten.get(dts) === content) return
    try {
      writeIfChangedSync(dts, content)
      typesWritten.set(dts, content)
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? 'write failed'
      warnings.push(`Could not write ${relativeId(dts)} (${reason}); set the plugin option dts: false to skip types.`)
    }
  }

  const matches = secretIdFilter((path) => filter(path))
  const secrets = createSecretIndex({
    matches,
    get root() {
      return root
    },
  })
  const clientDeferred = new Map<string, string>()
  const importers = new Map<string, string[]>()
  const ctx: SecretsContext = {
    options,
    get root() {
      return root
    },
    setRoot(dir) {
      if (userOptions.root !== undefined) return
      root = resolve(dir)
      filter = createFilter(options.include, options.exclude, { resolve: root })
    },
    setMode(m) {
      mode = m
    },
    get mode() {
      return mode
    },
    secrets,
    bundler: {},
    clientDeferred,
    importers,
    get built() {
      return built
    },
    matches,
    relativeId,
    async load(id, target, source) {
      const { path } = splitId(id)
      const file = relativeId(path)
      checkImportQuery(id, file, target.importers)
      if (target.client) throw clientBundleError(file, target.importers?.() ?? [], target.client)
      // Synchronous: a secret file is small, and a promise-based read costs more than the read (see writeIfChangedSync).
      const text = source ?? readFileSync(path, 'utf8')
      const spec = options.runtime ?? runtimeSpec(target.runtimeEntry ?? 'import')
      const loaded = target.sync ? syncFiles : asyncFiles
      // The same sealed text as last time: the same envelope, declaration and module (a rebuild, watch, HMR).
      const last = sealedModules.get(path)
      if (
        last !== undefined &&
        last.text === text &&
        last.file === file &&
        last.spec === spec &&
        last.sync === target.sync
      ) {
        loaded.add(file)
        if (last.project) projectFiles.add(file)
        return { code: last.code, warnings: [] }
      }
      const envelope = await sealing.envelopeOf(text, path, file)
      const warnings: string[] = []
      if (options.dts) writeTypes(path, envelope, warnings)
      loaded.add(file)
      const project = envelope.mode === 'project'
      if (project) projectFiles.add(file)
      const code = generateSecretModule({ envelope, file, runtime: spec, sync: target.sync, cloud: options.cloud })
      // Only files sealed on disk (ciphertext) are remembered; plaintext is sealed afresh in every build.
      if (isEnvelopeText(text) && warnings.length === 0)
        sealedModules.set(path, { text, file, spec, sync: target.sync, code, project })
      else sealedModules.delete(path)
      return { code, warnings }
    },
    asyncFiles,
    syncFiles,
    projectFiles,
    buildStart() {
      asyncFiles.clear()
      syncFiles.clear()
      projectFiles.clear()
      leaks.clear()
      sealing.buildStart()
      clientDeferred.clear()
      importers.clear()
      building = true
      built = false
    },
    buildEnd() {
      sealing.buildEnd()
      building = false
      built = true
    },
    scanAssets: (assets, publicSources) => leaks.scan(assets, publicSources),
    endLeakCheck() {
      leaks.clear()
    },
  }
  return ctx
}
