// The loader of the webpack/rspack rule the plugin registers for secret files (core/bundlers/webpack-loader.ts):
// referenced by path from that rule, never imported by users. It only hands the bytes the bundler read to the plugin
// instance that registered the rule (the rule's loader options), so one copy of this file serves every instance.
import { KmsSecretsError } from '@kms-secrets/core'
import type { SecretLoaderContext, SecretLoaderOptions } from './core/bundlers/webpack-loader'

/** The source as the bundler read it (a Buffer), not decoded: the plugin decodes it as a read of the file would. */
export const raw = true

export default function kmsSecretsWebpackLoader(this: SecretLoaderContext, source: Buffer): void {
  const options = this.query as Partial<SecretLoaderOptions> | string | null | undefined
  // Named in a user's rule or an inline request, the loader has no plugin instance to hand the bytes to.
  if (typeof options !== 'object' || options === null || typeof options.load !== 'function') {
    throw new KmsSecretsError(
      'ERR_PLUGIN_OPTIONS',
      "unplugin-kms-secrets/webpack-loader runs only from the plugin's own rule, with the plugin's options.",
      'Add the plugin (unplugin-kms-secrets/webpack or /rspack) to `plugins`, and remove this loader from your module rules and inline requests.',
    )
  }
  options.load(this, source)
}
