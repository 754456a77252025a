import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { createFilter } from 'unplugin-utils'
import { secretIdFilter } from '../guards'
import { type Options, resolveOptions } from '../options'
import { kmsSecrets } from '../unplugin'
import { type NitroConfigLike, type NitroLike, prerenderGuard, prerenderPluginFile, shieldSecretFiles } from './nitro'

/** The parts of Nuxt's `nuxt` object the module uses (typed here so the package needs no Nuxt types). */
export interface NuxtLike {
  options: { rootDir: string; buildDir: string; dev: boolean; kmsSecrets?: Options | false }
  // biome-ignore lint/suspicious/noExplicitAny: Nuxt's hook map is typed by @nuxt/schema, which we do not depend on
  hook(name: string, fn: (...args: any[]) => unknown): unknown
}

/** Module metadata Nuxt reads (`configKey`: options come from `kmsSecrets: {…}` in nuxt.config). */
export interface NuxtModuleMeta {
  name: string
  configKey: string
  compatibility: { nuxt: string }
}

/** What Nuxt accepts as a module: a function of (inline options, nuxt), with `getMeta` for its config key. */
export interface KmsSecretsNuxtModule {
  (inlineOptions: Options | undefined, nuxt: NuxtLike): void
  getMeta(): Promise<NuxtModuleMeta>
}

const meta: NuxtModuleMeta = {
  name: 'unplugin-kms-secrets',
  configKey: 'kmsSecrets',
  compatibility: { nuxt: '>=3.0.0' },
}

function shieldNitro(nitro: NitroLike, isSecret: (id: string) => boolean): void {
  nitro.hooks.hook('rollup:before', (_: unknown, rollupConfig: { plugins?: unknown }) =>
    shieldSecretFiles(rollupConfig.plugins, isSecret),
  )
}

/**
 * Nitro prerenders in the build process: secret modules it evaluates must not call KMS (the build identity may not
 * Decrypt; a sealed-file build has no credentials), so the runtime is told it is the build phase and hands out
 * placeholders; a route that uses one fails the build (prerenderGuard).
 */
function guardPrerender(nitro: NitroLike, isSecret: (id: string) => boolean, buildDir: string): void {
  nitro.hooks.hook('prerender:config', (config: NitroConfigLike) => {
    // A file, not a nitro virtual id: nitro resolves plugin paths against server/.
    const file = join(buildDir, prerenderPluginFile)
    mkdirSync(buildDir, { recursive: true })
    writeFileSync(file, prerenderGuard.runtimePlugin)
    config.plugins = [...(config.plugins ?? []), file]
  })
  nitro.hooks.hook('prerender:init', (renderer: NitroLike) => {
    shieldNitro(renderer, isSecret)
    prerenderGuard.start()
    process.env.KMS_SECRETS_PHASE = 'build'
  })
  nitro.hooks.hook('prerender:done', () => {
    delete process.env.KMS_SECRETS_PHASE
    prerenderGuard.done()
  })
}

function setup(inlineOptions: Options | undefined, nuxt: NuxtLike): void {
  const fromConfig = nuxt.options.kmsSecrets
  if (fromConfig === false) return
  // cloud: nitro's output inlines or traces (nft) the runtime; neither sees its run-time load of
  // `@kms-secrets/runtime/cloud`, so import it: CVM/TKE roles and an env proxy keep working out of the box.
  const options: Options = { root: nuxt.options.rootDir, cloud: true, ...fromConfig, ...inlineOptions }
  const resolved = resolveOptions(options)
  const isSecret = secretIdFilter(createFilter(resolved.include, resolved.exclude, { resolve: resolved.root }))

  // The vue app (client and SSR environments): the client-bundle guard, and the dev-server guard under /_nuxt/.
  nuxt.hook('vite:extend', ({ config }: { config: { plugins?: unknown[] } }) => {
    config.plugins = [kmsSecrets.vite(options), ...(config.plugins ?? [])]
  })
  // server/: nitro bundles it with its own rollup. Ours goes first, before nitro's raw() and json().
  nuxt.hook('nitro:config', (config: NitroConfigLike) => {
    const plugins = config.rollupConfig?.plugins
    const list = plugins === undefined ? [] : Array.isArray(plugins) ? plugins : [plugins]
    config.rollupConfig = { ...config.rollupConfig, plugins: [kmsSecrets.rollup(options), ...list] }
  })
  nuxt.hook('nitro:init', (nitro: NitroLike) => {
    shieldNitro(nitro, isSecret)
    if (!nuxt.options.dev) guardPrerender(nitro, isSecret, nuxt.options.buildDir)
  })
}

/** The Nuxt module: `modules: ['unplugin-kms-secrets/nuxt']`, options under `kmsSecrets: {…}`. */
export const kmsSecretsNuxt: KmsSecretsNuxtModule = Object.assign(setup, { getMeta: async () => meta })
