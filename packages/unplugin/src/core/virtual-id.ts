import { existsSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import type { SecretsContext } from './context'
import { allowedQueryKeys, splitId } from './guards'
import { claimOf, loadableRE } from './secret-claims'

/**
 * The id a secret import resolves to in rollup, rolldown and vite: `\0kms-secret:<absolute path>.js`. Other plugins
 * must never parse or inline a secret file: `@rollup/plugin-json` and vite 6/7's `vite:json` transform every id
 * matching `.json` (vite: `/\.json(?:$|\?)(?!commonjs-(?:proxy|external))/`, whatever the load hook returned), and
 * `raw()`/url plugins match `.txt` and friends by extension. The `\0` prefix is rollup's "virtual, leave alone"
 * convention, and the `.js` ending matches no data-file pattern. webpack/rspack/esbuild keep the file path.
 */
const prefix = '\0kms-secret:'
const suffix = '.js'

export const virtualSecretIdRE: RegExp = /^\0kms-secret:/

export function toVirtualSecretId(path: string): string {
  return `${prefix}${path}${suffix}`
}

/** The secret file of a virtual id, or undefined for any other id. */
export function fromVirtualSecretId(id: string): string | undefined {
  return id.startsWith(prefix) && id.endsWith(suffix) ? id.slice(prefix.length, -suffix.length) : undefined
}

interface ResolveContext {
  resolve(
    source: string,
    importer: string | undefined,
    options: { skipSelf: boolean; [k: string]: unknown },
  ): Promise<{ id: string; external?: boolean | string } | null>
}

/**
 * A relative or absolute specifier is resolved here: asking the other plugins first (`this.resolve`) would let a
 * `raw()`-style plugin wrap the file in its own id (nitro: `\0raw:<path>`) before we could claim it. Aliases and
 * packages go through the bundler's resolution.
 */
function localId(source: string, importer: string | undefined): string | undefined {
  // An absolute specifier may be a vite root-relative URL (`/src/db.secret.json`): only an existing file is a path.
  if (isAbsolute(source) && existsSync(splitId(source).path)) return source
  if (/^\.\.?[\\/]/.test(source) && importer !== undefined && isAbsolute(importer)) {
    return resolve(dirname(importer), source)
  }
  return undefined
}

async function bundlerResolvedId(
  self: ResolveContext,
  source: string,
  importer: string | undefined,
  options: object,
): Promise<string | undefined> {
  const resolved = await self.resolve(source, importer, { ...options, skipSelf: true })
  return resolved === null || resolved.external ? undefined : resolved.id
}

/** The virtual id for a resolved secret id, or null to leave the id to the bundler and other plugins. */
function virtualIdOf(ctx: SecretsContext, id: string | undefined): string | null {
  if (id === undefined || claimOf(ctx, id) !== 'secret') return null
  const { path, query } = splitId(id)
  // Only allowed queries keep the module a secret module; others keep their path and are refused in load.
  if (query.some((key) => !allowedQueryKeys.has(key))) return null
  return toVirtualSecretId(path)
}

/**
 * `resolveId` (rollup family, before other plugins): a specifier that resolves to a secret file becomes its virtual
 * id. Ids with another query (`?raw`, `?url`…) keep their path, so that the load hook refuses them with
 * ERR_PLUGIN_RAW_IMPORT; local-kms data files too (load refuses them).
 */
export function createSecretResolver(ctx: SecretsContext) {
  return {
    filter: { id: loadableRE },
    // Synchronous for relative and absolute paths (nearly every secret import): no promise per import.
    handler(
      this: ResolveContext,
      source: string,
      importer: string | undefined,
      options: object = {},
    ): string | null | Promise<string | null> {
      if (source.startsWith('\0') || !loadableRE.test(source)) return null
      const local = localId(source, importer)
      if (local !== undefined) return virtualIdOf(ctx, local)
      return bundlerResolvedId(this, source, importer, options).then((id) => virtualIdOf(ctx, id))
    },
  }
}

interface HotUpdateThis {
  environment?: { moduleGraph?: { getModuleById(id: string): unknown } }
}

/**
 * vite `hotUpdate`: vite maps a changed file to modules by their file path, and a virtual module has none, so an
 * edit of a secret file would leave its module (and SSR) on the old value. Add the secret's module to the update.
 */
export function secretHotUpdate(this: HotUpdateThis, update: { file: string; modules: readonly unknown[] }) {
  const mod = this.environment?.moduleGraph?.getModuleById(toVirtualSecretId(update.file))
  return mod === undefined ? undefined : [...update.modules, mod]
}
