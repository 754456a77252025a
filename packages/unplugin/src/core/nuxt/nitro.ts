import { KmsSecretsError } from '@kms-secrets/core'
import { toBundlerError } from '../report'

/** The parts of a nitro config the module changes. */
export interface NitroConfigLike {
  rollupConfig?: { plugins?: unknown }
  plugins?: string[]
}

/** The parts of a nitro instance the module hooks into. */
export interface NitroLike {
  // biome-ignore lint/suspicious/noExplicitAny: nitro's hook map is typed by nitropack, which we do not depend on
  hooks: { hook(name: string, fn: (...args: any[]) => unknown): unknown }
}

type Hook =
  | ((this: unknown, ...args: unknown[]) => unknown)
  | { handler: (this: unknown, ...args: unknown[]) => unknown }
interface RollupPluginLike {
  name?: string
  resolveId?: Hook
  transform?: Hook
}

/** Calls a plain or object-form rollup hook, keeping its `this` (the plugin context). */
function wrapHook(hook: Hook, wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown) {
  if (typeof hook === 'function') return wrap(hook)
  return { ...hook, handler: wrap(hook.handler) }
}

const rawIdPrefix = '\0raw:'

/**
 * Keeps nitro's own loaders away from secret files. Its `raw()` plugin resolves `.txt`/`.md`/… ids to `\0raw:<file>`
 * and inlines the file's text, and `@rollup/plugin-json` parses every `.json` module — ours included, which is JS.
 * Both are nitro-internal (no options reach them), so their hooks are wrapped to skip what the plugin seals.
 */
export function shieldSecretFiles(plugins: unknown, isSecret: (id: string) => boolean): void {
  const list = (Array.isArray(plugins) ? plugins.flat() : [plugins]) as (RollupPluginLike | null | undefined)[]
  for (const plugin of list) {
    if (plugin?.name === 'raw' && plugin.resolveId) {
      plugin.resolveId = wrapHook(
        plugin.resolveId,
        (original) =>
          async function (this: { error(e: unknown): never }, ...args: unknown[]) {
            const result = await original.apply(this, args)
            const id = typeof result === 'object' && result !== null ? (result as { id: string }).id : result
            if (typeof id !== 'string' || !id.startsWith(rawIdPrefix) || !isSecret(id.slice(rawIdPrefix.length))) {
              return result
            }
            const file = id.slice(rawIdPrefix.length)
            if (String(args[0]).startsWith('raw:')) this.error(toBundlerError(rawSpecifierError(file)))
            return { id: file }
          },
      )
    }
    if (plugin?.name === 'json' && plugin.transform) {
      plugin.transform = wrapHook(
        plugin.transform,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            return isSecret(String(args[1])) ? null : original.apply(this, args)
          },
      )
    }
  }
}

function rawSpecifierError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_RAW_IMPORT',
    `${file} is imported with nitro's \`raw:\` prefix: that would put the secret file's plaintext into the bundle.`,
    { hint: 'Import it without the prefix: the import then gives the decrypted text at run time.', file },
  )
}

/** The nitro runtime plugin (written to Nuxt's buildDir) that reports secret reads during prerender. */
export const prerenderPluginFile = 'kms-secrets-prerender.mjs'
const readsKey = 'kms-secrets.prerender-reads'

interface PrerenderRead {
  route: string
  message: string
}

function takeReads(): PrerenderRead[] {
  const store = globalThis as unknown as Record<symbol, PrerenderRead[] | undefined>
  const reads = store[Symbol.for(readsKey)] ?? []
  delete store[Symbol.for(readsKey)]
  return reads
}

/**
 * Prerender runs the server bundle in the build process. A route that reads a secret there gets the runtime's
 * ERR_RUNTIME_BUILD_PHASE; nitro only logs "[500]" for it, so a runtime plugin records the route and the error, and
 * the build fails at `prerender:done` with a typed error naming the route.
 */
export const prerenderGuard = {
  runtimePlugin: `export default function kmsSecretsPrerender(nitroApp) {
  nitroApp.hooks.hook('error', (error, context) => {
    const cause = error && error.code === undefined ? error.cause : error
    if (!cause || cause.code !== 'ERR_RUNTIME_BUILD_PHASE') return
    const key = Symbol.for(${JSON.stringify(readsKey)})
    ;(globalThis[key] ??= []).push({ route: context?.event?.path ?? '?', message: String(cause.message) })
  })
}
`,
  start(): void {
    takeReads()
  },
  /** Throws the build error when a prerendered route read a secret. */
  done(): void {
    const reads = takeReads()
    if (reads.length === 0) return
    const routes = [...new Set(reads.map((r) => r.route))]
    throw toBundlerError(
      new KmsSecretsError(
        'ERR_RUNTIME_BUILD_PHASE',
        `Prerendering ${routes.join(', ')} read a secret: ${reads[0]!.message.replace(/^\[ERR_\w+\] /, '')}`,
        {
          hint:
            `Do not prerender ${routes.join(', ')}: remove it from nitro.prerender.routes / routeRules ` +
            '(`prerender: true`), and make sure no prerendered page fetches it. Secrets open when the server runs.',
        },
      ),
    )
  },
}
