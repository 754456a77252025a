import { realpathSync, statSync } from 'node:fs'
import { relative } from 'node:path'
import process from 'node:process'
import { KmsSecretsError } from '@kms-secrets/core'
import type { LoadTarget, SecretsContext } from '../context'
import { supportsTopLevelAwait } from '../guards'
import { localKmsDataDirOf } from '../local-kms-data'
import { toBundlerError } from '../report'
import { type SecretIndex, walkProject } from '../secret-index'

/** What vite's dev server may never serve as a static file (`/db.secret.json`, `?raw`, `?url`, `/@fs/…`). */
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
  const chain: string[] = []
  const seen = new Set<ViteModuleNode>()
  let node = env?.moduleGraph?.getModuleById(id)
  while (node !== undefined && chain.length < 20) {
    seen.add(node)
    const next: ViteModuleNode | undefined = [...node.importers].find((n) => !seen.has(n))
    if (next?.id == null) break
    chain.push(next.id)
    node = next
  }
  return chain
}

/** Load target in vite: SSR/server environments get the module, the client environment trips the guard. */
export function viteTarget(
  ctx: SecretsContext,
  self: ViteLoadContext,
  id: string,
  loadOptions?: { ssr?: boolean },
): LoadTarget {
  const env = self.environment
  const client = env ? env.config.consumer === 'client' : !loadOptions?.ssr
  const sync = ctx.options.sync === 'auto' ? needsSync(env) : ctx.options.sync
  return {
    client: client ? `vite ${env?.name ?? 'client'} environment` : false,
    sync,
    importers: () => devImporters(env, id),
  }
}

/**
 * Files under a directory that are secrets by any name: a secret file, a symlink or hard link to one (also through a
 * symlinked directory), or a file of a local-kms data dir. Unreadable dirs count as empty.
 */
function secretFilesIn(index: SecretIndex, dir: string): string[] {
  const found: string[] = []
  const visit = (path: string) => {
    if (index.secretFileOf(path) !== undefined || localKmsDataDirOf(path) !== undefined) found.push(path)
  }
  const walked = new Set<string>()
  const walk = (root: string) => {
    const real = realpathOr(root)
    if (walked.has(real)) return
    walked.add(real)
    walkProject(root, visit, (link) => {
      if (statOr(link)?.isDirectory()) walk(link)
      else visit(link)
    })
  }
  walk(dir)
  return found
}

function realpathOr(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    return path
  }
}

function statOr(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/**
 * Vite copies `publicDir` into the output as is and serves it in dev without any plugin seeing it: a secret file
 * there would ship as plaintext, so the config is refused up front.
 */
export function checkPublicDir(
  ctx: SecretsContext,
  index: SecretIndex,
  config: { root: string; publicDir: string | false; command: 'build' | 'serve' },
): void {
  if (!config.publicDir) return
  // A build copies publicDir as is, following links: every other name of a secret counts. The dev server's guard
  // refuses those names per request, so serving only refuses files that are secrets by their own name.
  const found =
    config.command === 'build'
      ? secretFilesIn(index, config.publicDir)
      : secretFilesIn(index, config.publicDir).filter((f) => ctx.matches(f))
  if (found.length === 0) return
  const files = found.map((f) => relative(config.root, f).replaceAll('\\', '/'))
  throw toBundlerError(
    new KmsSecretsError(
      'ERR_PLUGIN_LEAK',
      `${files.join(', ')} would be copied into the build output as is (vite publicDir).`,
      { hint: 'Move secret files out of publicDir and import them from server code instead.', file: files[0] },
    ),
  )
}
