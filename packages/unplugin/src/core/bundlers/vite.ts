import process from 'node:process'
import type { UnpluginOptions } from 'unplugin'
import type { LoadTarget, SecretsContext } from '../context'
import { extraDenyGlobs, type GuardedServer, guardDevServer } from '../dev-server-guard'
import { supportsTopLevelAwait } from '../guards'
import { importerChain } from '../importer-chain'
import { unpluginLoadHooks } from '../load'
import { checkPublicDir } from '../public-dir'
import { secretHotUpdate } from '../virtual-id'
import { type Adapter, cast, failWithThisError, type LoadHost, type LoadOptions } from './adapter'
import { rollupFamilyHooks } from './rollup'

/**
 * What vite's dev server may never serve as a static file (`/db.secret.json`, `?raw`, `?url`, `/@fs/…`): every
 * `*.secret.*` name, deliberately wider than core's extension list — a backup or editor copy of a
 * secret (`db.secret.json.bak`, `db.secret.json~`) holds the same plaintext. `extraDenyGlobs` adds the include globs.
 */
export const secretDenyGlob = '**/*.secret.*'

/**
 * Vite's own `server.fs.deny` defaults (6.x–8.x, union). Setting `deny` replaces vite's defaults instead of extending
 * them, so when the user has not set it we must restate them; when the user has, vite's mergeConfig appends ours.
 */
export const viteDefaultDeny: readonly string[] = [
  '.env',
  '.env.*',
  '*.{crt,pem}',
  '*.{crt,pem,key,p12,pfx,cer,der}',
  '.npmrc',
  '.yarnrc.yml',
  '**/.git/**',
]

interface ViteUserConfig {
  server?: { fs?: { deny?: string[] } }
}

/** The `config` hook: add the secret glob to `server.fs.deny`, keeping vite's defaults or the user's list. */
export function denySecretFiles(config: ViteUserConfig): ViteUserConfig {
  const userDeny = config.server?.fs?.deny
  return { server: { fs: { deny: userDeny ? [secretDenyGlob] : [...viteDefaultDeny, secretDenyGlob] } } }
}

/**
 * `vite build` is the build phase (`KMS_SECRETS_PHASE=build`): frameworks evaluate the built server modules in this
 * process or in workers they start later, which inherit the env (SvelteKit's analysis and prerender, Astro's
 * prerender). There the runtime makes no KMS call and hands out placeholders that throw ERR_RUNTIME_BUILD_PHASE on use.
 */
export function markBuildPhase(command: string | undefined): void {
  if (command === 'build') process.env.KMS_SECRETS_PHASE = 'build'
}

/** The parts of vite's plugin context and environment these hooks read. */
export interface ViteLoadContext {
  environment?: {
    name: string
    mode?: string
    config: {
      consumer: 'client' | 'server'
      build?: { rollupOptions?: { output?: unknown }; rolldownOptions?: { output?: unknown } }
    }
    moduleGraph?: { getModuleById(id: string): ViteModuleNode | undefined }
  }
}

interface ViteModuleNode {
  id: string | null
  importers: Set<ViteModuleNode>
}

function outputFormats(output: unknown): (string | undefined)[] {
  const list = Array.isArray(output) ? output : [output ?? {}]
  return list.map((o) => (o as { format?: string }).format)
}

/** Whether every configured output of this environment is CommonJS-like (sync code needed). */
function needsSync(env: ViteLoadContext['environment']): boolean {
  const build = env?.config.build
  const formats = outputFormats(build?.rolldownOptions?.output ?? build?.rollupOptions?.output)
  return formats.every((f) => f !== undefined && !supportsTopLevelAwait(f))
}

/** Importers in vite's dev module graph, nearest first (the build graph is read at buildEnd instead). */
function devImporters(env: ViteLoadContext['environment'], id: string): string[] {
  const start = env?.moduleGraph?.getModuleById(id)
  if (start === undefined) return []
  return importerChain<ViteModuleNode>(
    { importersOf: (node) => node.importers, nameOf: (node) => node.id ?? undefined },
    start,
  )
}

/** Load target in vite: SSR/server environments get the module, the client environment trips the guard. */
function viteTarget(ctx: SecretsContext, host: LoadHost, id: string, loadOptions?: LoadOptions): LoadTarget {
  const env = (host as ViteLoadContext).environment
  const client = env ? env.config.consumer === 'client' : !loadOptions?.ssr
  const sync = ctx.options.sync === 'auto' ? needsSync(env) : ctx.options.sync
  return {
    client: client ? `vite ${env?.name ?? 'client'} environment` : false,
    sync,
    importers: () => devImporters(env, id),
  }
}

interface ViteConfigLike {
  root?: string
  server?: { fs?: { deny?: string[] } }
}

/** vite's own hooks: config (deny list, build phase), the dev-server guard, the root and mode, HMR of secrets. */
function viteHooks(ctx: SecretsContext) {
  return {
    hotUpdate: secretHotUpdate,
    config(config: ViteConfigLike, env?: { command?: string }) {
      markBuildPhase(env?.command)
      const { server } = denySecretFiles(config)
      // Only a dev server reads the deny list: a build skips the walk for local-kms data dirs it needs.
      const extra = env?.command === 'build' ? [] : extraDenyGlobs(ctx, config.root)
      return { server: { fs: { deny: [...(server?.fs?.deny ?? []), ...extra] } } }
    },
    // Called here, not in a returned post hook: the guard must run before vite's static and transform middlewares.
    configureServer: (server: GuardedServer) => guardDevServer(ctx, ctx.secrets, server),
    configResolved(config: { root: string; command: 'build' | 'serve'; publicDir: string | false }) {
      ctx.setRoot(config.root)
      checkPublicDir(ctx, ctx.secrets, config)
      ctx.setMode(config.command)
    },
  }
}

export const viteAdapter: Adapter = {
  target: viteTarget,
  fail: failWithThisError,
  // A build's module graph is only complete at buildEnd; the dev server fails in load (its overlay shows the error).
  defersClientGuard: (ctx) => ctx.mode !== 'serve',
  hooks: (ctx) => ({
    ...unpluginLoadHooks(ctx, viteAdapter),
    vite: cast<UnpluginOptions['vite']>({ ...rollupFamilyHooks(ctx), ...viteHooks(ctx) }),
  }),
}
