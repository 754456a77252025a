import { KmsSecretsError } from '@kms-secrets/core/errors'
import type { AnyEnvelope } from '@kms-secrets/core/open'
import { createSyncOpener, type SyncOpener } from '../sync/sync-opener.js'
import { createAsyncOpener, type OpenMeta } from './async-opener.js'
import { buildPhasePlaceholder, isBuildPhase } from './build-phase.js'
import { fileOf, rememberSecretFile, withoutSecretFrames } from './open-error.js'
import { type ResolvedOptions, resolveOptions, type SecretOpenerOptions } from './options.js'

export interface SecretOpener {
  /** Opens a sealed envelope into its value (object for json/yaml/env, string for text). */
  open(envelope: AnyEnvelope, meta: OpenMeta): Promise<unknown>
  /**
   * Blocking variant for CommonJS (no top-level await), run on a worker thread. Absent when a custom `provider` or a
   * credential function was given, since functions cannot cross threads.
   */
  openSync?: (envelope: AnyEnvelope, meta: OpenMeta) => unknown
  /** Drops every cached data key and stops the sync worker, if any. */
  close(): void
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * Creates an opener with its own data-key cache: one KMS Decrypt per distinct `kms.blob`, single-flight, with
 * bounded retries. `openSecret`/`openSecretSync` use a default instance configured from the environment.
 * @example
 * const opener = createSecretOpener({ endpoint: 'http://127.0.0.1:4599', retry: { maxAttempts: 3 } })
 * const db = await opener.open(envelope, { file: 'db.secret.json' })
 */
export function createSecretOpener(options: SecretOpenerOptions = {}): SecretOpener {
  return makeOpener(options, createSyncOpener)
}

type SyncFactory = (o: ResolvedOptions) => SyncOpener

/**
 * Adds `openSync` to an opener made without it (non-enumerable, on the default opener). `openSecret` alone never
 * references the sync client, so a bundle of ESM secret imports leaves it out (~3 KiB); `openSecretSync` attaches it.
 */
const enableSyncKey = Symbol.for('@kms-secrets/runtime/enable-sync@1')

function makeOpener(options: SecretOpenerOptions, syncFactory: SyncFactory | undefined): SecretOpener {
  const resolved = resolveOptions(options)
  const async = createAsyncOpener(resolved)
  let sync: SyncOpener | undefined
  const describe = (): string => `[KmsSecretsOpener ${async.size} data key${async.size === 1 ? '' : 's'}]`
  const opener: SecretOpener = {
    open(envelope, meta) {
      rememberSecretFile(meta?.file)
      // The async opener drops secret-file frames from its errors itself: no extra promise per value here.
      return async.open(envelope, meta)
    },
    close() {
      async.clear()
      sync?.close()
      sync = undefined
    },
  }
  const enableSync = (factory: SyncFactory): void => {
    if (opener.openSync !== undefined || options.provider !== undefined || typeof options.credential === 'function')
      return
    opener.openSync = (envelope, meta) => {
      rememberSecretFile(meta?.file)
      sync ??= factory(resolved)
      try {
        return sync.openSync(envelope, meta)
      } catch (e) {
        throw withoutSecretFrames(e)
      }
    }
  }
  if (syncFactory !== undefined) enableSync(syncFactory)
  Object.defineProperty(opener, enableSyncKey, { value: enableSync })
  // Nothing secret is reachable from the opener, but make that obvious in logs too.
  return Object.assign(opener, { toString: describe, toJSON: describe, [inspectSymbol]: describe })
}

/**
 * The default opener is one per process, not one per copy of this module: a framework may bundle the runtime into
 * several chunks or layers (Next.js route handlers and server components each get their own copy), and a package
 * may be loaded both as ESM and CommonJS. Each copy would otherwise Decrypt the same data key again. Kept as a
 * non-enumerable global under a registered symbol, holding exactly what a module-level opener held (no key bytes).
 */
const defaultOpenerKey = Symbol.for('@kms-secrets/runtime/default-opener@1')

function getDefault(): SecretOpener {
  const holder = globalThis as { [defaultOpenerKey]?: SecretOpener }
  const existing = holder[defaultOpenerKey]
  if (existing !== undefined) return existing
  const opener = makeOpener({}, undefined)
  Object.defineProperty(holder, defaultOpenerKey, { value: opener, enumerable: false, configurable: true })
  return opener
}

/**
 * What generated modules call: `export default await openSecret(<envelope>, { file })`. Resolves to the decrypted
 * value; rejects with a KmsSecretsError naming the file (and KeyId/RequestId for KMS failures).
 * Env: TENCENTCLOUD_SECRET_ID/SECRET_KEY/SESSION_TOKEN (or SCF's, profile, CVM role, TKE), TENCENTCLOUD_REGION,
 * KMS_SECRETS_ENDPOINT, KMS_SECRETS_MAX_ATTEMPTS, KMS_SECRETS_TIMEOUT_MS.
 * In a framework's build phase (`isBuildPhase()`) no KMS call is made: it resolves to a placeholder whose real use
 * throws ERR_RUNTIME_BUILD_PHASE.
 */
export function openSecret(envelope: AnyEnvelope, meta: OpenMeta): Promise<unknown> {
  // Not an async function: returning the opener's promise from one would cost two more microtask hops per value.
  try {
    if (isBuildPhase()) return Promise.resolve(buildPhasePlaceholder(fileOf(meta)))
    return getDefault().open(envelope, meta)
  } catch (e) {
    return Promise.reject(withoutSecretFrames(e))
  }
}

/** Blocking `openSecret` for CommonJS output without top-level await (worker thread + Atomics.wait). */
export function openSecretSync(envelope: AnyEnvelope, meta: OpenMeta): unknown {
  if (isBuildPhase()) return buildPhasePlaceholder(fileOf(meta))
  const opener = getDefault() as SecretOpener & { [enableSyncKey]?: (factory: SyncFactory) => void }
  opener[enableSyncKey]?.(createSyncOpener)
  const open = opener.openSync
  /* Precondition: the default opener has no custom provider, so it always has openSync. */
  if (open === undefined)
    throw new KmsSecretsError(
      'ERR_INTERNAL',
      'The default opener lacks openSync.',
      'This is a bug in kms-secrets; please report it.',
    )
  return open(envelope, meta)
}
