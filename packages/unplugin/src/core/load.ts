import { isKmsSecretsError } from '@kms-secrets/core'
import type { UnpluginOptions } from 'unplugin'
import type { Adapter, LoadHost, LoadOptions } from './bundlers/adapter'
import type { SecretsContext } from './context'
import { splitId } from './guards'
import { claimOf, kmsDataImportError, loadableRE } from './secret-claims'
import { fromVirtualSecretId, virtualSecretIdRE } from './virtual-id'

/** A stand-in module for a secret in a browser build whose guard is deferred: the build fails, so it is never emitted. */
const clientStub = 'export default undefined;\n'

/**
 * The generated module for a secret id, undefined for an id that is not ours, or the adapter's failure. `text`: the
 * file's content as the bundler already read it (the plugin's webpack/rspack loader), else the file is read.
 */
export async function loadSecret(
  ctx: SecretsContext,
  adapter: Adapter,
  self: LoadHost,
  id: string,
  loadOptions?: LoadOptions,
  text?: string,
): Promise<string | undefined> {
  // rollup family: `\0kms-secret:<path>.js` (see virtual-id.ts); the module graph knows it by that id.
  const real = fromVirtualSecretId(id)
  // Not on vite's dev server (the only 'serve' mode): there `hotUpdate` maps the edited file to this module, and a
  // watch file becomes an import resolving back to this very id, a self-import Astro's dev CSS crawl recurses on.
  // Nor in a one-shot build (`watchMode: false`): nothing watches, and in rolldown each call crosses into Rust.
  if (real !== undefined && ctx.mode !== 'serve' && self.meta?.watchMode !== false) self.addWatchFile(real)
  const fileId = real ?? id
  const claim = claimOf(ctx, fileId)
  if (claim === undefined) return undefined
  if (claim === 'kms-data') return adapter.fail(self, kmsDataImportError(ctx.relativeId(splitId(fileId).path)))
  const target = adapter.target(ctx, self, id, loadOptions)
  try {
    const { code, warnings } = await ctx.load(fileId, target, text)
    for (const warning of warnings) self.warn(`${warning} (${ctx.relativeId(fileId)})`)
    return code
  } catch (error) {
    if (isKmsSecretsError(error) && error.code === 'ERR_PLUGIN_CLIENT_BUNDLE' && adapter.defersClientGuard(ctx)) {
      ctx.clientDeferred.set(id, String(target.client))
      return clientStub
    }
    return adapter.fail(self, error)
  }
}

/**
 * `loadInclude` + `load` as unplugin runs them (rollup family, vite, esbuild). webpack and rspack use the plugin's own
 * rule and loader instead (bundlers/webpack-loader.ts), not unplugin's bridge.
 */
export function unpluginLoadHooks(
  ctx: SecretsContext,
  adapter: Adapter,
): Pick<UnpluginOptions, 'loadInclude' | 'load'> {
  return {
    // The exact include/exclude (globs resolved against the root, `?query` stripped) is a function; esbuild uses it
    // to pick modules, rolldown/vite additionally skip every other extension natively.
    loadInclude: (id) => claimOf(ctx, fromVirtualSecretId(id) ?? id) !== undefined,
    // Other `\0` ids may match loadableRE: claimOf leaves them alone.
    load: {
      filter: { id: { include: [loadableRE, virtualSecretIdRE] } },
      async handler(this: LoadHost, id: string, loadOptions?: LoadOptions) {
        const code = await loadSecret(ctx, adapter, this, id, loadOptions)
        // moduleType: vite 8 and rolldown would otherwise parse the JS as JSON (not in unplugin's type).
        return code === undefined ? undefined : ({ code, moduleType: 'js' } as { code: string })
      },
    },
  }
}
