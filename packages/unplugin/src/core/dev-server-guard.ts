import { realpathSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, isAbsolute, join, posix, resolve } from 'node:path'
import process from 'node:process'
import type { SecretsContext } from './context'
import { allowedQueryKeys, splitId } from './guards'
import { findLocalKmsDataDirs, localKmsDataDirOf } from './local-kms-data'
import type { SecretIndex } from './secret-index'

/** What the guard reads of vite's dev server (structural: vite is not a dependency of the plugin). */
export interface GuardedServer {
  config: {
    root: string
    base: string
    /** `''` when publicDir is off. */
    publicDir: string
    resolve?: { alias?: readonly { find: string | RegExp; replacement: string }[] }
  }
  middlewares: { use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown }
}

type Refusal = 'secret' | 'alias' | 'kms-data'

const refusalBody: Record<Refusal, string> = {
  secret: 'kms-secrets: secret files are never served; import them from server code.\n',
  alias: 'kms-secrets: this file is another name (link) of a secret file and is never served.\n',
  'kms-data': 'kms-secrets: files of a local-kms data dir (credentials, key material) are never served.\n',
}

/** Every decoding of `text` (vite decodes once, sirv again; `%25` stacks), malformed sequences kept as they are. */
function decodings(text: string): string[] {
  const out = [text]
  for (let i = 0; i < 4; i++) {
    const last = out[out.length - 1]!
    const next = last.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
    if (next === last) break
    out.push(next)
  }
  return out
}

const cleanUrl = (url: string): string => url.replace(/[?#].*$/s, '')

/** A URL path as vite maps it to files: `base`, `/@fs/`, `/@id/`, root, publicDir, static aliases, absolute paths. */
function filesForPath(path: string, config: GuardedServer['config']): string[] {
  const { root, base, publicDir } = config
  const paths = [path]
  if (base.length > 1 && base.startsWith('/') && path.startsWith(base)) paths.push(path.slice(base.length - 1))
  const out: string[] = []
  for (const p of paths) {
    if (p.startsWith('/@fs/')) out.push(p.slice('/@fs'.length))
    if (p.startsWith('/@id/')) {
      const id = p.slice('/@id/'.length)
      out.push(isAbsolute(id) ? id : join(root, id))
    }
    out.push(join(root, p), p)
    if (publicDir) out.push(join(publicDir, p))
    for (const { find, replacement } of config.resolve?.alias ?? []) {
      if (typeof find === 'string' ? p === find || p.startsWith(`${find}/`) : find.test(p)) {
        const aliased = typeof find === 'string' ? replacement + p.slice(find.length) : p.replace(find, replacement)
        out.push(aliased, join(root, aliased))
      }
    }
  }
  return out
}

/** Every file path a request URL can reach in vite's dev server. */
export function filesForUrl(url: string, config: GuardedServer['config']): string[] {
  const absoluteForm = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
  const pathPart = cleanUrl(absoluteForm ? url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') : url)
  const files = new Set<string>()
  for (const decoded of decodings(pathPart)) {
    for (const path of new Set([decoded, cleanUrl(decoded)])) {
      for (const file of filesForPath(path.startsWith('/') ? path : `/${path}`, config)) files.add(resolve(file))
    }
  }
  return [...files]
}

function realpathOf(path: string): string | undefined {
  try {
    return realpathSync.native(path)
  } catch {
    return undefined
  }
}

const exists = (path: string): boolean => {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined
  } catch {
    return false
  }
}

/** Why a file may not be served, if it may not. Missing files count by their dir (vite adds extensions to imports). */
function refusalFor(ctx: SecretsContext, index: SecretIndex, file: string): Refusal | undefined {
  const real = realpathOf(file)
  if (real === undefined) {
    const dir = dirname(file)
    return exists(dir) && localKmsDataDirOf(realpathOf(dir) ?? dir) ? 'kms-data' : undefined
  }
  if (localKmsDataDirOf(real) !== undefined || (real !== file && localKmsDataDirOf(file) !== undefined))
    return 'kms-data'
  if (index.secretFileOf(file) === undefined) return undefined
  return ctx.matches(real) ? 'secret' : 'alias'
}

/**
 * The dev-server guard: a middleware ahead of all of vite's own (static files, publicDir, `/@fs/`, transforms) that
 * answers 403 for any URL reaching a secret file — by include/exclude on the requested and the real path, or as a
 * hard link — or a file in a local-kms data dir. A plain `?import` of a secret file goes on to the load hook, which
 * fails with ERR_PLUGIN_CLIENT_BUNDLE and shows why in vite's overlay.
 */
export function guardDevServer(ctx: SecretsContext, index: SecretIndex, server: GuardedServer): void {
  server.middlewares.use(function kmsSecretsDevServerGuard(req, res, next) {
    const url = req.url
    if (url === undefined) return next()
    const refusals = new Set<Refusal>()
    for (const file of filesForUrl(url, server.config)) {
      const refusal = refusalFor(ctx, index, file)
      if (refusal) refusals.add(refusal)
    }
    if (refusals.size === 0) return next()
    const query = splitId(url).query
    const importOnly = query.includes('import') && query.every((key) => allowedQueryKeys.has(key))
    if (importOnly && refusals.size === 1 && refusals.has('secret')) return next()
    const refusal = refusals.has('kms-data') ? 'kms-data' : refusals.has('alias') ? 'alias' : 'secret'
    res.statusCode = 403
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.setHeader('Cache-Control', 'no-store')
    res.end(refusalBody[refusal])
  })
}

/** A path as a literal picomatch glob. */
const globLiteral = (path: string): string => path.replaceAll('\\', '/').replace(/[*?[\]{}()!+@|^$]/g, '\\$&')

/**
 * `server.fs.deny` entries beyond the `*.secret.*` glob: the include globs as createFilter resolves them (regexes
 * cannot be globs: the middleware covers them), and every local-kms data dir under the root at start. With an
 * `exclude`, include globs are left out: deny cannot subtract, and the middleware already follows exclude exactly.
 */
export function extraDenyGlobs(ctx: SecretsContext, viteRoot: string | undefined): string[] {
  ctx.setRoot(resolve(viteRoot ?? process.cwd()))
  const { include, exclude } = ctx.options
  const toList = (p: typeof include) => (p == null ? [] : Array.isArray(p) ? p : [p]) as (string | RegExp)[]
  const globs = toList(exclude).length > 0 ? [] : toList(include).filter((p): p is string => typeof p === 'string')
  const resolved = globs.map((g) =>
    isAbsolute(g) || g.startsWith('**') ? g : posix.join(globLiteral(ctx.root), g.replaceAll('\\', '/')),
  )
  const dataDirs = findLocalKmsDataDirs(ctx.root).flatMap((dir) => [globLiteral(dir), `${globLiteral(dir)}/**`])
  return [...resolved, ...dataDirs]
}
