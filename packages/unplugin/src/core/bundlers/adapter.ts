import type { UnpluginOptions } from 'unplugin'
import type { LoadTarget, SecretsContext } from '../context'
import { toBundlerError } from '../report'

/** The load hook's `this`: what every bundler's hook context offers (unplugin's, or the plugin's own webpack loader). */
export interface LoadHost {
  warn(message: string): void
  addWatchFile(file: string): void
  /** rollup, rolldown and vite: `watchMode` is false in a one-shot build (no watcher to tell about files). */
  meta?: { watchMode?: boolean } | undefined
  getNativeBuildContext?: (() => unknown) | undefined
}

/** vite passes `{ ssr }` to load in its non-environment API. */
export interface LoadOptions {
  ssr?: boolean
}

/**
 * One bundler: everything the plugin does differently per bundler is here, chosen once by `meta.framework`.
 * The shared load path (../load.ts) asks it for the load target, how to fail and whether to defer the client guard.
 */
export interface Adapter {
  /** What the bundler knows about the module being loaded (browser build, sync code, importers for messages). */
  target(ctx: SecretsContext, self: LoadHost, id: string, loadOptions?: LoadOptions): LoadTarget
  /** Reports a load failure the way this bundler shows it with the module; never returns. */
  fail(self: LoadHost, error: unknown): never
  /**
   * Whether a secret in a browser build gets a stub in load and fails once the module graph is complete (the error
   * then names the importer chain): when the graph cannot be read during load.
   */
  defersClientGuard(ctx: SecretsContext): boolean
  /** All of this bundler's hooks, among them exactly one `ctx.buildStart()` and one `ctx.buildEnd()` per build. */
  hooks(ctx: SecretsContext): Omit<UnpluginOptions, 'name'>
}

/** rollup, rolldown and vite: `this.error()` throws with plugin and hook added. */
export function failWithThisError(self: LoadHost, error: unknown): never {
  ;(self as unknown as { error(e: unknown): never }).error(toBundlerError(error))
  throw toBundlerError(error)
}

/**
 * esbuild, webpack and rspack: their `this.error()` only records an error and goes on (esbuild collects it with the
 * result), so the error is thrown: onLoad or the loader turns it into a build error for this module.
 */
export function failByThrowing(_self: LoadHost, error: unknown): never {
  throw toBundlerError(error)
}

/** The bundler-specific hooks are typed by the few context members they use, not by each bundler's full types. */
export function cast<T>(hooks: object): T {
  return hooks as T
}
