import { KmsSecretsError } from '@kms-secrets/core/errors'
import { withoutSecretFrames } from './open-error.js'

/**
 * Whether this process is a framework's build phase, where server modules are evaluated for analysis or prerender
 * (SvelteKit's post-build analysis, Next's "Collecting page data") and must not call KMS: the build identity may not
 * Decrypt, and a sealed-file build has no credentials at all. Integrations set `KMS_SECRETS_PHASE=build`; Next sets
 * `NEXT_PHASE=phase-production-build` in its build workers itself. Read at each call, never cached.
 */
export function isBuildPhase(): boolean {
  const env = globalThis.process?.env
  return env?.KMS_SECRETS_PHASE === 'build' || env?.NEXT_PHASE === 'phase-production-build'
}

/** Keys that turn a value into data (coercion, serialisation, React's element check): using the secret. */
const usingKeys = /^(?:valueOf|toString|toJSON|toLocaleString|\$\$typeof)$/

const fix =
  "Don't prerender the route that reads it: SvelteKit/Astro `export const prerender = false`, Next `export const dynamic = 'force-dynamic'`."

function buildPhaseError(file: string, path: string): KmsSecretsError {
  // Frameworks print only the stack (not `hint`), so the fix is in the message too.
  const message = `${file} (${path}) was read in the framework's build; secrets open when the server runs. ${fix}`
  return withoutSecretFrames(new KmsSecretsError('ERR_RUNTIME_BUILD_PHASE', message, { hint: fix, file }))
}

/**
 * What `openSecret`/`openSecretSync` return in the build phase instead of the value: property reads give nested
 * placeholders (so `export const { host } = db` and `db.pool.max` at module top level evaluate), and any real use —
 * coercion, JSON, keys, `in`, iteration, calls, writes — throws ERR_RUNTIME_BUILD_PHASE. It holds the file name and
 * the JSON path read, nothing derived from the ciphertext. Not a thenable, so `await` hands it over as is;
 * `util.inspect` shows the proxy's empty target function (Node does not run proxy traps when inspecting).
 */
export function buildPhasePlaceholder(file: string, path = '$'): unknown {
  const fail = (): never => {
    throw buildPhaseError(file, path)
  }
  return new Proxy(() => undefined, {
    get(_, key) {
      if (key === 'then') return undefined
      if (typeof key === 'symbol' || usingKeys.test(key)) return fail()
      return buildPhasePlaceholder(file, `${path}${/^\d+$/.test(key) ? `[${key}]` : `.${key}`}`)
    },
    apply: fail,
    has: fail,
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    defineProperty: fail,
    deleteProperty: fail,
    set: fail,
    setPrototypeOf: fail,
  })
}
