import { resolve } from 'node:path'
import process from 'node:process'
import { type KmsProvider, KmsSecretsError, secretFileRE } from '@kms-secrets/core'
import type { FilterPattern } from 'unplugin-utils'
import { findInNodeModules } from './runtime-path'

export type { FilterPattern }

/** Options of `unplugin-kms-secrets`. Every option is optional; the defaults read the same env as the CLI. */
export interface Options {
  /**
   * CMK (KeyId or alias) that seals plaintext secret files during the build. Not needed when every secret file is
   * already sealed on disk (`kms-secrets encrypt`).
   * @default process.env.KMS_SECRETS_KEY_ID
   */
  keyId?: string
  /**
   * CMKs (resolved KeyIds, not aliases) that already-sealed secret files may be wrapped by, besides `keyId`. When a
   * CMK is configured (`keyId`, `KMS_SECRETS_KEY_ID` or `keyIds`), a sealed file whose `kms.keyId` is none of them
   * fails the build (ERR_ENVELOPE_KEY); with none configured, any CMK is accepted.
   * @default []
   */
  keyIds?: string[]
  /**
   * Tencent Cloud region of the CMK (recorded in each envelope; the runtime may override it).
   * @default process.env.TENCENTCLOUD_REGION, else 'ap-guangzhou'
   */
  region?: string
  /**
   * KMS endpoint URL, e.g. `http://127.0.0.1:4599` for local-kms. `http://` is accepted for loopback hosts only.
   * @default process.env.KMS_SECRETS_ENDPOINT, else the Tencent Cloud endpoint
   */
  endpoint?: string
  /**
   * Secret files handled by the plugin (picomatch globs or RegExps, matched against absolute ids).
   * @default every `*.secret.{json,yaml,yml,env,txt,pem,key,crt}`
   */
  include?: FilterPattern
  /** Files never handled by the plugin, even when `include` matches. */
  exclude?: FilterPattern
  /**
   * Extra encryption context (string → string, e.g. `{ app: 'shop', env: 'prod' }`) bound to values sealed during
   * the build: KMS needs the same context to decrypt, so ciphertext cannot be reused by another app or stage.
   * When given (even `{}`), every already-sealed file must carry exactly this context (ERR_ENVELOPE_CONTEXT);
   * when not given, sealed files may carry any context.
   * @default {}
   */
  context?: Record<string, string>
  /**
   * What to do with a secret file that is still plaintext: `'seal'` it during the build (one GenerateDataKey per
   * build per CMK), or fail with `'error'` — for CI, where only files sealed with `kms-secrets encrypt` belong.
   * @default 'seal'
   */
  plaintext?: 'seal' | 'error'
  /**
   * Write `<name>.d.<ext>.ts` next to each secret file (e.g. `db.secret.d.json.ts`) from the secret's shape — key
   * names and value types, never values — so `import db from './db.secret.json'` is typed. Needs
   * `"allowArbitraryExtensions": true` in tsconfig.json.
   * @default true when `typescript` can be resolved from the project root
   */
  dts?: boolean
  /**
   * Generated code: `false` = ESM with top-level await (`openSecret`), `true` = a synchronous decrypt at module init
   * (`openSecretSync`, for CommonJS outputs), `'auto'` = sync when the output is known to be CommonJS/IIFE
   * (esbuild `format`, vite `build.rollupOptions.output.format`, webpack without `experiments.topLevelAwait`).
   * @default 'auto'
   */
  sync?: 'auto' | boolean
  /**
   * Search every emitted asset for the plaintext values this build sealed (raw, JSON-escaped, base64, hex, URL-encoded…)
   * and fail the build on a hit. `{ ignore }` lists JSON paths that are not secret and may legitimately appear in
   * the output (e.g. `'$.host'` for every file, or `'config/db.secret.json#$.host'`).
   * @default true
   */
  leakCheck?: boolean | { ignore?: string[] }
  /**
   * Put `@kms-secrets/runtime/cloud` into the output: the credential sources that need a file or the network (profile
   * file, CVM role, TKE OIDC) and the CONNECT tunnel for a proxy from the environment (`https_proxy`…). The runtime
   * inlined in a bundle keeps only explicit and environment credentials (`TENCENTCLOUD_SECRET_ID`…, SCF's
   * `TENCENTCLOUD_SECRETID`…) and direct connections; without this option it loads the add-on from node_modules
   * when it needs it, and fails with what to do when there is none. `true`: ESM code imports it (bundled with the
   * runtime), CommonJS builds get a kms-secrets-worker.cjs that includes it — for a single-file bundle deployed
   * without node_modules on a CVM, in TKE or behind a proxy.
   * @default false (true in the Next.js, Nuxt and Astro integrations: their server output is traced, see README)
   */
  cloud?: boolean
  /** KMS provider to seal with (tests pass an in-memory fake). Default: the Tencent provider from region/endpoint. */
  provider?: KmsProvider
  /**
   * Module specifier generated code imports the runtime from.
   * @default the absolute path of `@kms-secrets/runtime`'s ESM entry, resolved from this plugin
   */
  runtime?: string
  /** Project root: relative ids in generated code and relative globs are based on it. Default: the bundler's root or cwd. */
  root?: string
}

export interface ResolvedOptions {
  keyId: string | undefined
  /** CMKs a sealed file may name in `kms.keyId`: `keyIds` plus `keyId` unless it is an alias; empty = any. */
  allowedKeyIds: readonly string[]
  /** Whether `context` was given: then a sealed file's context must equal it exactly. */
  contextConfigured: boolean
  region: string | undefined
  endpoint: string | undefined
  include: FilterPattern
  exclude: FilterPattern
  context: Readonly<Record<string, string>>
  plaintext: 'seal' | 'error'
  dts: boolean
  sync: 'auto' | boolean
  leakCheck: boolean
  leakIgnore: string[]
  /** Whether the output gets `@kms-secrets/runtime/cloud` (ESM import, CommonJS worker file). */
  cloud: boolean
  provider: KmsProvider | undefined
  /** Undefined: decided per project root (see `runtimeSpecifierFor`). */
  runtime: string | undefined
  root: string
}

type Env = Readonly<Record<string, string | undefined>>

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function optionError(name: string, problem: string, hint: string): KmsSecretsError {
  return new KmsSecretsError('ERR_PLUGIN_OPTIONS', `unplugin-kms-secrets: option \`${name}\` ${problem}.`, hint)
}

function resolveContextOption(context: unknown): Record<string, string> {
  if (context === undefined) return {}
  /* Precondition: context is a plain object of strings. */
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw optionError('context', 'must be an object of strings', 'Pass e.g. `context: { app: "shop", env: "prod" }`.')
  }
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string') {
      throw optionError(`context.${key}`, 'must be a string', 'Encryption context values are strings (KMS rule).')
    }
    out[key] = value
  }
  return out
}

/** Tencent KMS aliases are passed as `alias/<name>` where a KeyId is expected. */
export const aliasRE = /^alias\//

function resolveKeyIdsOption(keyIds: unknown, keyId: string | undefined): string[] {
  /* Precondition: keyIds is an array of non-empty KeyIds, not aliases (a sealed file records the resolved KeyId). */
  if (keyIds !== undefined && (!Array.isArray(keyIds) || keyIds.some((k) => typeof k !== 'string' || !k.trim()))) {
    throw optionError('keyIds', 'must be an array of non-empty KeyIds', 'Pass e.g. `keyIds: ["<KeyId>"]`.')
  }
  const ids = ((keyIds as string[] | undefined) ?? []).map((k) => k.trim())
  if (ids.some((k) => aliasRE.test(k))) {
    throw optionError(
      'keyIds',
      'must list KeyIds, not aliases',
      'Sealed files record the KeyId KMS resolved; find it with `kms-secrets keys list`.',
    )
  }
  if (keyId !== undefined && !aliasRE.test(keyId)) ids.push(keyId)
  return [...new Set(ids)]
}

function checkEnum<T>(name: string, value: T, allowed: readonly T[]): T {
  /* Precondition: enum options hold one of their documented values. */
  if (!allowed.includes(value)) {
    throw optionError(name, `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, 'See the README.')
  }
  return value
}

/** Whether `typescript` can be resolved from the project root (the default of `dts`, as unplugin-auto-import does). */
export function hasTypeScript(root: string): boolean {
  return findInNodeModules(resolve(root), 'typescript/package.json') !== undefined
}

/** Options → ResolvedOptions: env defaults, validation (ERR_PLUGIN_OPTIONS), nothing left undefined by accident. */
export function resolveOptions(options: Options = {}, env: Env = process.env): ResolvedOptions {
  const root = resolve(options.root ?? process.cwd())
  const keyId = nonEmpty(options.keyId) ?? nonEmpty(env.KMS_SECRETS_KEY_ID)
  return {
    keyId,
    allowedKeyIds: Object.freeze(resolveKeyIdsOption(options.keyIds, keyId)),
    contextConfigured: options.context !== undefined,
    region: nonEmpty(options.region) ?? nonEmpty(env.TENCENTCLOUD_REGION),
    endpoint: nonEmpty(options.endpoint) ?? nonEmpty(env.KMS_SECRETS_ENDPOINT),
    include: options.include ?? [secretFileRE],
    exclude: options.exclude ?? [],
    context: Object.freeze(resolveContextOption(options.context)),
    plaintext: checkEnum('plaintext', options.plaintext ?? 'seal', ['seal', 'error'] as const),
    dts: options.dts ?? hasTypeScript(root),
    sync: checkEnum('sync', options.sync ?? 'auto', ['auto', true, false] as const),
    leakCheck: options.leakCheck !== false,
    leakIgnore: typeof options.leakCheck === 'object' ? [...(options.leakCheck.ignore ?? [])] : [],
    cloud: checkEnum('cloud', options.cloud ?? false, [true, false] as const),
    provider: options.provider,
    runtime: options.runtime,
    root,
  }
}
