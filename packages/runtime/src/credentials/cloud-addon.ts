import type { TLSSocket } from 'node:tls'
import type { Env, TencentCredential } from './types.js'

/** Opens a connection to the KMS host through the proxy (CONNECT tunnel, then TLS). */
export type TunnelOpener = (url: URL, signal: AbortSignal | undefined) => Promise<TLSSocket>

/**
 * What `@kms-secrets/runtime/cloud` adds to the inlined runtime, which keeps only explicit and environment
 * credentials and direct connections: the sources that need a file or the network, and the proxy tunnel.
 */
export interface CloudAddon {
  /**
   * The getter of the profile file, CVM role and TKE OIDC sources (asked in this order after the environment's two
   * sets of names, whose misses are `tried`): cached while fresh; ERR_KMS_CREDENTIALS listing every miss.
   */
  credentials(env: Env, tried: readonly string[]): () => Promise<TencentCredential>
  /** The tunnel through the proxy named by variable `from` (value `value`); ERR_KMS_CONFIG for a bad value. */
  tunnel(from: string, value: string): TunnelOpener
}

/**
 * Where the add-on registers: a registered symbol on globalThis, so every copy of the runtime in a process (ESM and
 * CommonJS, a bundle and node_modules) sees it. `@1`: the shape above; a change of it takes a new name.
 */
const slot = Symbol.for('@kms-secrets/runtime/cloud@1')
const specifier = '@kms-secrets/runtime/cloud'

/** What to do when the add-on is needed and not there (ERR_KMS_CREDENTIALS, ERR_KMS_CONFIG hints). */
export const cloudFix = `import '${specifier}' in the server entry (plugin option cloud: true) or deploy node_modules/@kms-secrets/runtime`

export function registerCloud(addon: CloudAddon): void {
  Object.defineProperty(globalThis, slot, { value: addon, configurable: true })
}

/**
 * Loads the add-on from where this code runs, never followed by a bundler (a specifier in a variable): `require`
 * beside a CommonJS file (the runtime's dist, a bundle, the worker file), else `import()` (ESM; Bun, Deno try too).
 * From the runtime's own dist this is the package's self-reference; from a bundle that inlined the runtime it
 * resolves from the bundle's node_modules.
 */
let load = (): unknown =>
  typeof __filename === 'string'
    ? process.getBuiltinModule('node:module').createRequire(__filename)(specifier)
    : import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)

/** Tests: replace the loader (e.g. one that fails, as in a bundle deployed without node_modules). */
export function setCloudLoader(loader: () => unknown): void {
  load = loader
}

/**
 * The add-on, when registered (a static import of it somewhere in the process) or loadable; undefined otherwise.
 * Called only once the environment has no credentials or a proxy applies: never on the usual start path.
 */
export async function cloudAddon(): Promise<CloudAddon | undefined> {
  if (!(slot in globalThis)) {
    try {
      await load()
    } catch {}
  }
  return (globalThis as { [slot]?: CloudAddon })[slot]
}
