// The loader of the webpack/rspack rule the plugin registers for secret files (core/bundlers/webpack-loader.ts):
// referenced by path from that rule, never imported by users. It only hands the bytes the bundler read to the plugin
// instance that registered the rule (the rule's loader options), so one copy of this file serves every instance.
import type { SecretLoaderContext, SecretLoaderOptions } from './core/bundlers/webpack-loader'

/** The source as the bundler read it (a Buffer), not decoded: the plugin decodes it as a read of the file would. */
export const raw = true

export default function kmsSecretsWebpackLoader(this: SecretLoaderContext, source: Buffer): void {
  ;(this.query as SecretLoaderOptions).load(this, source)
}
