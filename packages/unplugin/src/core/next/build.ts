import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { KmsSecretsError, secretExtensions } from '@kms-secrets/core'
import { hasTypeScript, type Options } from '../options'
import { findInNodeModules } from '../runtime-path'
import { type NextConfigLike, type NextKmsSecretsOptions, nextPhases, runtimePackage } from './config'
import { type Prebuilt, prebuildSecretModules, scanDistForLeaks } from './prebuild'

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
export function pluginOptionsFor(root: string, options: NextKmsSecretsOptions): Options {
  return {
    ...options,
    root,
    dts: options.dts ?? (hasTypeScript(root) && allowsArbitraryExtensions(root)),
    runtime: options.runtime ?? runtimePackage,
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
  const guard = { plugin: loader.plugin, client: 'a Next.js browser or edge bundle' }
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
  if (prebuilding !== undefined) {
    const prebuilt = await prebuilding
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
  out.turbopack = { ...config.turbopack, rules: turbopackRules(config, loader) }
  return out
}
