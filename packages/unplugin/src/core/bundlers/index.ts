import { KmsSecretsError } from '@kms-secrets/core'
import type { UnpluginContextMeta } from 'unplugin'
import type { Adapter } from './adapter'
import { esbuildAdapter } from './esbuild'
import { rolldownAdapter, rollupAdapter } from './rollup'
import { viteAdapter } from './vite'
import { rspackAdapter, webpackAdapter } from './webpack'

export type { Adapter } from './adapter'

/** Every bundler unplugin may call the factory for (`meta.framework`). */
export type Framework = UnpluginContextMeta['framework']

/**
 * Bundlers whose hooks the plugin has not been proven against (end-to-end tests): their JSON/asset handling and
 * module graphs differ, and a secret they inline unchecked would ship as plaintext. Refused rather than guessed.
 */
const unsupported = (framework: string): Adapter => {
  const fail = (): never => {
    throw new KmsSecretsError('ERR_PLUGIN_OPTIONS', `unplugin-kms-secrets does not support ${framework}.`, {
      hint: 'Use its vite, rollup, rolldown, esbuild, webpack or rspack entry (e.g. `unplugin-kms-secrets/vite`).',
    })
  }
  return { target: fail, fail, defersClientGuard: fail, hooks: fail }
}

/** The one table of bundler adapters, looked up once per plugin instance by `meta.framework`. */
export const adapters = {
  vite: viteAdapter,
  rollup: rollupAdapter,
  rolldown: rolldownAdapter,
  esbuild: esbuildAdapter,
  webpack: webpackAdapter,
  rspack: rspackAdapter,
  farm: unsupported('farm'),
  bun: unsupported('bun'),
  unloader: unsupported('unloader'),
  rsbuild: unsupported('rsbuild (use unplugin-kms-secrets/rspack in tools.rspack.plugins)'),
} satisfies Record<Framework, Adapter>
