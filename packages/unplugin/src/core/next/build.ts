import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { isSealedEnvelopeText, KmsSecretsError, secretExtensions } from '@kms-secrets/core'
import { createContext } from '../context'
import { hasTypeScript, type Options } from '../options'
import { findInNodeModules } from '../runtime-path'
import { type NextConfigLike, type NextKmsSecretsOptions, nextPhases, runtimePackage } from './config'
import { nextSecretFiles, type Prebuilt, prebuildSecretModules, scanDistForLeaks } from './prebuild'

/** The default secret names as Turbopack rule globs (its rules match file names, not our RegExp). */
const secretGlobs = secretExtensions.map((ext) => `*.secret.${ext}`)

/** Browser and edge bundles: a secret there is refused (client-bundle guard), as webpack/rspack targets do. */
const clientCondition = { any: ['browser', 'edge-light'] }

/** What the Turbopack loader receives (plain JSON: it runs in other processes). */
export interface NextLoaderOptions {
  plugin: Options
  /** Set for browser/edge bundles: the load fails with ERR_PLUGIN_CLIENT_BUNDLE. */
  client?: string
  /** `next build` with Turbopack: every secret module, sealed once in the build's main process. */
  modules?: Record<string, Prebuilt>
  /**
   * `next dev` that started with Turbopack's filesystem cache on (every secret file was sealed then): the cache dir.
   * Turbopack keeps a hash of every file it reads there, so a secret file found plaintext later makes the loader warn
   * what to delete (the cache cannot be turned off while the dev server runs).
   */
  turbopackCache?: string
}

/**
 * Whether the project's tsconfig.json enables `allowArbitraryExtensions`. Without it the `*.secret.d.json.ts`
 * declarations break the type check of the next `next build` (TS6263), so by default they are not written.
 */
export function allowsArbitraryExtensions(root: string): boolean {
  try {
    return /"allowArbitraryExtensions"\s*:\s*true/.test(readFileSync(join(root, 'tsconfig.json'), 'utf8'))
  } catch {
    return false
  }
}

/** The plugin's options for Next: generated code imports the runtime by its bare name (Next externalises it). */
function pluginOptionsFor(root: string, options: NextKmsSecretsOptions): Options {
  return {
    ...options,
    root,
    dts: options.dts ?? (hasTypeScript(root) && allowsArbitraryExtensions(root)),
    runtime: options.runtime ?? runtimePackage,
    // The server output is bundled or traced (standalone: nft), neither of which sees the runtime's run-time load of
    // `@kms-secrets/runtime/cloud`: import it, so CVM/TKE roles and an env proxy keep working out of the box.
    cloud: options.cloud ?? true,
    sync: false,
  }
}

/** Plain-JSON options for the Turbopack loader: its rules pick the files, so include/exclude are not passed. */
function loaderPluginOptions(plugin: Options): Options {
  const { include: _include, exclude: _exclude, provider: _provider, ...rest } = plugin
  // Next refuses loader options that change in a JSON round trip (an `undefined` keyId, say).
  return JSON.parse(JSON.stringify(rest)) as Options
}

function turbopackRules(config: NextConfigLike, loader: NextLoaderOptions): Record<string, unknown> {
  const path = createRequire(import.meta.url).resolve('unplugin-kms-secrets/next-loader')
  const guard = {
    plugin: loader.plugin,
    client: 'a Next.js browser or edge bundle',
    ...(loader.turbopackCache === undefined ? {} : { turbopackCache: loader.turbopackCache }),
  }
  const rules: Record<string, unknown> = { ...config.turbopack?.rules }
  for (const glob of secretGlobs) {
    rules[glob] = [
      { condition: clientCondition, loaders: [{ loader: path, options: guard }], as: '*.js' },
      { condition: { not: clientCondition }, loaders: [{ loader: path, options: loader }], as: '*.js' },
    ]
  }
  return rules
}

/** The webpack hook: our plugin in every compilation; in the client and edge ones its client-bundle guard trips. */
async function webpackHook(config: NextConfigLike, plugin: Options): Promise<NonNullable<NextConfigLike['webpack']>> {
  const { kmsSecrets } = await import('../unplugin')
  const userHook = config.webpack
  return (webpackConfig, context) => {
    const out = (userHook ? userHook(webpackConfig, context) : webpackConfig) as { plugins?: unknown[] }
    out.plugins = [...(out.plugins ?? []), kmsSecrets.webpack(plugin)]
    return out
  }
}

/** The runtime must be the project's own dependency: Turbopack resolves only bare names from the project. */
function checkRuntimeInstalled(root: string): void {
  if (findInNodeModules(root, `${runtimePackage}/package.json`) !== undefined) return
  throw new KmsSecretsError(
    'ERR_PLUGIN_OPTIONS',
    `${runtimePackage} is not installed in ${root}: the generated secret modules import it by name from the project.`,
    { hint: `Add it as a dependency: \`pnpm add ${runtimePackage} unplugin-kms-secrets\`.` },
  )
}

/**
 * The secret files under the root that are plaintext on disk (relative paths). Turbopack's persistent cache
 * (`.next/cache/turbopack`, on by default for `next dev` and `next build` in Next 16.5) keeps, for every file it reads,
 * an xxh3-128 hash of its content (`FileContent` cells are persisted as hashes): hashing the candidates of a short
 * secret finds it (a 4-digit PIN in 10 000 tries; test/hardening/cache-hashes-turbopack.test.ts). Sealed files hash
 * ciphertext only. `secretFiles`: the project's secret files when already listed (the prebuild's), else walked.
 */
export function plaintextSecretFiles(plugin: Options, secretFiles?: readonly string[]): string[] {
  const ctx = createContext(plugin)
  const files: string[] = []
  for (const path of secretFiles ?? nextSecretFiles(ctx)) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue
    }
    // Strictly: a file with the marker whose envelope does not decode (a value in another field, a repeated key) may
    // carry plaintext, so it keeps the cache off like any plaintext file (one decode per file per config, ~5 µs).
    if (!isSealedEnvelopeText(text)) files.push(ctx.relativeId(path))
  }
  return files.sort()
}

/** Next's switch of Turbopack's persistent cache, per phase. */
const turbopackCacheFlag: Record<string, string> = {
  [nextPhases.dev]: 'turbopackFileSystemCacheForDev',
  [nextPhases.build]: 'turbopackFileSystemCacheForBuild',
}

const warned = new Set<string>()

/** Where Turbopack keeps its filesystem cache in this phase (under the config's distDir, `.next` by default). */
function turbopackCacheDir(out: NextConfigLike, phase: string): string {
  const distDir = typeof out.distDir === 'string' && out.distDir !== '' ? out.distDir : '.next'
  return `${distDir}/${phase === nextPhases.dev ? 'dev/' : ''}cache/turbopack`
}

/**
 * Turns Turbopack's persistent cache off for this phase when a secret file is plaintext (it would keep a hash of the
 * file), with a warning once per process and phase. A user's `true` is overridden: the cache is a build artifact.
 */
export function withoutTurbopackCache(out: NextConfigLike, phase: string, plaintext: string[]): void {
  const flag = turbopackCacheFlag[phase]
  if (flag === undefined || plaintext.length === 0) return
  out.experimental = { ...(out.experimental as Record<string, unknown> | undefined), [flag]: false }
  if (warned.has(phase)) return
  warned.add(phase)
  const shown = plaintext.slice(0, 3).join(', ') + (plaintext.length > 3 ? `, … (${plaintext.length} files)` : '')
  console.warn(
    `unplugin-kms-secrets: Turbopack's filesystem cache is off for this ${phase === nextPhases.build ? 'build' : 'dev server'} ` +
      `(experimental.${flag}: false): it would keep a hash of each plaintext secret file (${shown}), from which a ` +
      'short or guessable value can be recovered. Seal them (`kms-secrets encrypt <file> -i`) to keep the cache; ' +
      `delete ${turbopackCacheDir(out, phase)} if an earlier run wrote one.`,
  )
}

/**
 * The dir of Turbopack's dev cache when `next dev` keeps it on (no secret file plaintext at start, and not turned off
 * by the user), else undefined: a secret file that turns plaintext while it runs is hashed into it.
 */
export function keptDevCacheDir(out: NextConfigLike, phase: string): string | undefined {
  if (phase !== nextPhases.dev) return undefined
  if ((out.experimental as Record<string, unknown> | undefined)?.[turbopackCacheFlag[phase]!] === false)
    return undefined
  return turbopackCacheDir(out, phase)
}

/**
 * `next build` type-checks with TypeScript's incremental build info (`.next/cache/.tsbuildinfo`), which records a
 * sha256 of every file in the program: a plaintext `*.secret.json` is in it (resolveJsonModule) unless its
 * `*.secret.d.json.ts` declaration stands in for it — written only when tsconfig.json enables
 * `allowArbitraryExtensions`. Warns once with the two ways out; the plugin cannot keep TypeScript off the file.
 */
export function warnTypeScriptBuildInfo(root: string, plaintext: string[]): boolean {
  const json = plaintext.filter((f) => f.endsWith('.json'))
  if (json.length === 0 || !hasTypeScript(root) || allowsArbitraryExtensions(root) || warned.has('tsbuildinfo'))
    return false
  warned.add('tsbuildinfo')
  console.warn(
    `unplugin-kms-secrets: TypeScript records a sha256 of each plaintext JSON secret file it type-checks (${json.slice(0, 3).join(', ')}${json.length > 3 ? ', …' : ''}) ` +
      'in .next/cache/.tsbuildinfo, from which a short or guessable value can be recovered. Set ' +
      '"allowArbitraryExtensions": true in tsconfig.json (declarations then stand in for the files), or seal them ' +
      '(`kms-secrets encrypt <file> -i`).',
  )
  return true
}

/**
 * Build and dev phases: Turbopack rules (a loader that returns the generated module), the webpack hook, and — for
 * `next build` with Turbopack — every secret module sealed once here, in the main process, because Turbopack runs
 * loaders in several processes (each would call GenerateDataKey), and the output scanned for leaks after compiling.
 */
export async function configureBuild(
  config: NextConfigLike,
  phase: string,
  options: NextKmsSecretsOptions,
): Promise<NextConfigLike> {
  const root = resolve(options.root ?? process.cwd())
  checkRuntimeInstalled(root)
  const plugin = pluginOptionsFor(root, options)
  const loader: NextLoaderOptions = { plugin: loaderPluginOptions(plugin) }
  const out: NextConfigLike = { ...config, webpack: await webpackHook(config, plugin) }
  const prebuilding = phase === nextPhases.build && process.env.TURBOPACK ? prebuildSecretModules(plugin) : undefined
  let secretFiles: string[] | undefined
  if (prebuilding !== undefined) {
    const prebuilt = await prebuilding
    // Every secret file of the project was sealed into a module: no second walk of the tree for the list.
    secretFiles = Object.keys(prebuilt.modules)
    loader.modules = prebuilt.modules
    const after = config.compiler?.runAfterProductionCompile
    out.compiler = {
      ...config.compiler,
      async runAfterProductionCompile(metadata) {
        await after?.(metadata)
        scanDistForLeaks(prebuilt, resolve(metadata.projectDir, metadata.distDir))
      },
    }
  }
  const plaintext = plaintextSecretFiles(plugin, secretFiles)
  if (phase === nextPhases.dev || process.env.TURBOPACK) withoutTurbopackCache(out, phase, plaintext)
  const cacheDir = keptDevCacheDir(out, phase)
  if (cacheDir !== undefined) loader.turbopackCache = cacheDir
  if (phase === nextPhases.build) warnTypeScriptBuildInfo(root, plaintext)
  out.turbopack = { ...config.turbopack, rules: turbopackRules(config, loader) }
  return out
}
