import process from 'node:process'
import type { Options } from '../options'

/**
 * `next.config.*` is loaded again by `next start`, so this file (the `unplugin-kms-secrets/next` entry) imports no
 * bundler, plugin or KMS code: everything a build needs is loaded from `./build` only in the build and dev phases.
 */

/** The parts of a Next.js config this integration reads or sets (typed here: the package needs no Next types). */
export interface NextConfigLike {
  webpack?: ((config: unknown, context: unknown) => unknown) | null
  turbopack?: { rules?: Record<string, unknown>; [key: string]: unknown }
  compiler?: { runAfterProductionCompile?: (metadata: { projectDir: string; distDir: string }) => Promise<void> }
  [key: string]: unknown
}

/** Next's config function form: `(phase, { defaultConfig }) => config`. */
export type NextConfigFunction = (phase: string, context: { defaultConfig?: unknown }) => Promise<NextConfigLike>

/**
 * Options of `withKmsSecrets`: the plugin's options, except `provider` (a Turbopack loader runs in other processes,
 * so its options must be plain JSON). `include`/`exclude` apply to `next build --webpack`; Turbopack rules match the
 * default `*.secret.*` names.
 */
export type NextKmsSecretsOptions = Omit<Options, 'provider'>

/** Next's phase names (next/constants), spelled out to keep next out of this module. */
export const nextPhases = {
  build: 'phase-production-build',
  dev: 'phase-development-server',
} as const

/**
 * The package the generated modules import, by this bare name: Turbopack refuses absolute import paths, so it must
 * resolve from the project (a dependency of the app). Both bundlers bundle it into the server chunks (tested:
 * `serverExternalPackages` does not make Next 16.5 externalise it), and one opener per process is shared by the copies.
 */
export const runtimePackage = '@kms-secrets/runtime'

/**
 * Wraps a Next.js config: secret imports in server code (route handlers, server components) become KMS ciphertext
 * that `@kms-secrets/runtime` opens when the server runs, with Turbopack (`next build`) and webpack
 * (`next build --webpack`). During `next build` the runtime is told it is the build phase
 * (`KMS_SECRETS_PHASE=build`), so Next's page-data collection never calls KMS.
 *
 * @example
 * // next.config.mjs
 * import { withKmsSecrets } from 'unplugin-kms-secrets/next'
 * export default withKmsSecrets({}, { keyId: process.env.KMS_SECRETS_KEY_ID })
 */
export function withKmsSecrets(
  nextConfig: NextConfigLike | NextConfigFunction = {},
  options: NextKmsSecretsOptions = {},
): NextConfigFunction {
  return async function kmsSecretsNextConfig(phase, context) {
    const base = typeof nextConfig === 'function' ? await nextConfig(phase, context) : nextConfig
    // Next's build workers (page-data collection, prerendering) are spawned later and inherit this.
    if (phase === nextPhases.build) process.env.KMS_SECRETS_PHASE = 'build'
    // `next start` and the other phases: the config as given. The server's bundles already hold the runtime.
    if (phase !== nextPhases.build && phase !== nextPhases.dev) return base
    const { configureBuild } = await import('./build')
    return configureBuild(base, phase, options)
  }
}
