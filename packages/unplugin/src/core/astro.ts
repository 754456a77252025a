import { markBuildPhase } from './bundlers/vite'
import type { Options } from './options'
import { kmsSecrets } from './unplugin'

/** The parts of Astro's `astro:config:setup` parameters the integration uses (so the package needs no Astro types). */
export interface AstroConfigSetupLike {
  command: 'dev' | 'build' | 'preview' | 'sync'
  // biome-ignore lint/suspicious/noExplicitAny: Astro types this with its own (vite 6) config types we do not depend on
  updateConfig(config: { vite: { plugins: any[] } }): unknown
}

/** An Astro integration: `integrations: [kmsSecrets()]` in astro.config.mjs. */
export interface KmsSecretsAstroIntegration {
  name: string
  hooks: {
    'astro:config:setup': (params: AstroConfigSetupLike) => void
    'astro:build:start': () => void
  }
}

/**
 * The vite plugin for Astro's client and server builds and its dev server (same guards as plain vite). Astro
 * prerenders in the build process itself: from `astro:build:start` on it is the build phase, so a secret module the
 * prerender evaluates makes no KMS call, and a prerendered page that reads a value fails with ERR_RUNTIME_BUILD_PHASE.
 */
export function kmsSecretsAstro(options?: Options): KmsSecretsAstroIntegration {
  return {
    name: 'unplugin-kms-secrets',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        // cloud: Astro's serverless adapters trace the server's node_modules (nft), which does not see the runtime's
        // run-time load of `@kms-secrets/runtime/cloud`: import it, so CVM/TKE roles and an env proxy keep working.
        updateConfig({ vite: { plugins: [kmsSecrets.vite({ cloud: true, ...options })] } })
      },
      'astro:build:start': () => markBuildPhase('build'),
    },
  }
}
