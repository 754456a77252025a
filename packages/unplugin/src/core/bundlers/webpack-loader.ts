/** The part of webpack's and rspack's loader context the plugin's loader uses. */
export interface SecretLoaderContext {
  async(): (error: Error | null, code?: string | Uint8Array) => void
  /** The rule's `options` object itself: webpack and rspack keep a JS loader's options in memory, functions too. */
  query: unknown
}

/** The rule's options: the plugin's load, bound to its context and adapter (see webpack-rule.ts). */
export interface SecretLoaderOptions {
  load(loader: SecretLoaderContext, source: Uint8Array): Promise<string | undefined>
}

/** The file's bytes as webpack read them: the plugin decodes them once instead of reading the file again. */
export const raw = true

/**
 * The loader of the plugin's webpack/rspack rule. It imports nothing: all it does is hand the source to the plugin
 * instance that added the rule, so webpack and rspack load this small file by path (`dist/webpack-loader.mjs`).
 */
export default function kmsSecretsLoader(this: SecretLoaderContext, source: Uint8Array): void {
  const callback = this.async()
  const { load } = this.query as SecretLoaderOptions
  load(this, source).then(
    (code) => callback(null, code ?? source),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  )
}
