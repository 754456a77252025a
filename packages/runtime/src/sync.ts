// `@kms-secrets/runtime/sync`: what generated CommonJS code imports. A main-thread stub only: the opener itself
// (validation, the sync client, the async opener its worker thread runs) lives in ONE file, kms-secrets-worker.cjs,
// loaded here on the first open and started again as the worker thread, so a CommonJS bundle does not carry the
// runtime twice (inlined + worker file).
import type { AnyEnvelope } from '@kms-secrets/core/open'
import type { OpenMeta } from './opener/async-opener.js'
import { buildPhasePlaceholder, isBuildPhase } from './opener/build-phase.js'
import { resolveWorkerFile } from './sync/worker-file.js'

type OpenSync = (envelope: AnyEnvelope, meta: OpenMeta) => unknown
let open: OpenSync | undefined

/** Blocking `openSecret` for CommonJS output without top-level await (worker thread + Atomics.wait). */
export function openSecretSync(envelope: AnyEnvelope, meta: OpenMeta): unknown {
  if (isBuildPhase()) return buildPhasePlaceholder(meta?.file || 'an imported secret')
  if (open === undefined) {
    const file = resolveWorkerFile(true)
    open = (process.getBuiltinModule('node:module').createRequire(file)(file) as { openSecretSync: OpenSync })
      .openSecretSync
  }
  try {
    return open(envelope, meta)
  } catch (e) {
    // Rethrown here, in the user's (unminified) bundle: an uncaught error shows this line under its message, not a
    // line of the minified worker file.
    // biome-ignore lint/complexity/noUselessCatch: the rethrow site is what node prints under an uncaught error
    throw e
  }
}
