import type * as NodeCryptoModule from 'node:crypto'
import { KmsSecretsError } from '@kms-secrets/core/errors'

/**
 * The web build's constant `__KMS_SECRETS_WEB__` (tsdown.config.ts `define`): `false` in the default build, which
 * leaves out the WebCrypto open and signing path (Node ≥ 20.19, Bun and Deno always give node:crypto through
 * `process.getBuiltinModule`); `true` in the web build, exported under the conditions `workerd`, `worker` and
 * `edge-light`, which keeps it for hosts without node:crypto (workerd). Undefined from source (the `source` condition
 * of tests and bench): both paths, as in the web build. Each module that branches on it declares it and reads it
 * into a module-level `web` (here, data-key.ts, kms/tc3.ts, kms/tencent-decrypt.ts): a constant imported from here
 * would be folded only after tree shaking, too late to drop core's webCipher.
 */

/** What the synchronous open path, the TC3 signer and the project key import use from node:crypto (Node, Bun, Deno). */
export type NodeCrypto = Pick<
  typeof NodeCryptoModule,
  'createDecipheriv' | 'createECDH' | 'createHash' | 'createHmac' | 'createSecretKey' | 'hkdfSync' | 'timingSafeEqual'
>

// The web build's constant (above): false in the default build, whose nodeCrypto() never answers undefined.
declare const __KMS_SECRETS_WEB__: boolean | undefined
const web = typeof __KMS_SECRETS_WEB__ !== 'boolean' || __KMS_SECRETS_WEB__

let found: NodeCrypto | null | undefined

/**
 * node:crypto when the host has it (`process.getBuiltinModule`: Node ≥ 20.16, Bun, Deno), loaded on first use — no
 * `node:` import at module scope. Its synchronous HKDF, AES-GCM and HMAC spare a thread-pool round trip per call,
 * which WebCrypto's promises cost. Not on workerd (its node:crypto shim is partial): undefined there, and the web
 * build uses WebCrypto; the default build, which has no WebCrypto path, throws one typed error that says which build
 * to use instead (never a silent fallback).
 */
export function nodeCrypto(): NodeCrypto | undefined {
  if (found === undefined) {
    const proc = globalThis.process
    const workerd = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
    const m = workerd ? undefined : (proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined)
    found = typeof m?.hkdfSync === 'function' && typeof m.createDecipheriv === 'function' ? m : null
  }
  if (found !== null || web) return found ?? undefined
  throw new KmsSecretsError('ERR_KMS_CONFIG', 'This build of @kms-secrets/runtime needs node:crypto.', {
    hint: 'Bundle with the "workerd" or "worker" export condition (wrangler does by default).',
  })
}

/** Tests: `false` forces the WebCrypto path (as on workerd), `true` looks node:crypto up again. */
export function useNodeCrypto(on: boolean): void {
  found = on ? undefined : null
}
