import { createUnplugin, type UnpluginFactory, type UnpluginInstance } from 'unplugin'
import { adapters } from './bundlers'
import { createContext } from './context'
import type { Options } from './options'

/** The unplugin factory: one context per plugin instance, the hooks of the bundler's adapter; nothing else. */
export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (options, meta) => {
  const adapter = adapters[meta.framework]
  const ctx = createContext(options)
  return {
    name: 'unplugin-kms-secrets',
    // Before vite's asset/json plugins, so `?raw`/`?url` of a secret reach our guard first.
    enforce: 'pre',
    ...adapter.hooks(ctx),
  }
}

/** The unplugin instance: `.vite()`, `.rollup()`, `.rolldown()`, `.esbuild()`, `.webpack()`, `.rspack()`. */
export const kmsSecrets: UnpluginInstance<Options | undefined, false> = /* #__PURE__ */ createUnplugin(unpluginFactory)
