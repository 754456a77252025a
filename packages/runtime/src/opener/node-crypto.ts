import type * as NodeCryptoModule from 'node:crypto'

/** What the synchronous open path, the TC3 signer and the project key import use from node:crypto (Node, Bun, Deno). */
export type NodeCrypto = Pick<
  typeof NodeCryptoModule,
  'createDecipheriv' | 'createECDH' | 'createHash' | 'createHmac' | 'createSecretKey' | 'hkdfSync' | 'timingSafeEqual'
>

let found: NodeCrypto | null | undefined

/**
 * node:crypto when the host has it (`process.getBuiltinModule`: Node ≥ 20.16, Bun, Deno), loaded on first use — no
 * `node:` import at module scope. Its synchronous HKDF, AES-GCM and HMAC spare a thread-pool round trip per call,
 * which WebCrypto's promises cost. Not on workerd (its node:crypto shim is partial): WebCrypto there.
 */
export function nodeCrypto(): NodeCrypto | undefined {
  if (found === undefined) {
    const proc = globalThis.process
    const workerd = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
    const m = workerd ? undefined : (proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined)
    found = typeof m?.hkdfSync === 'function' && typeof m.createDecipheriv === 'function' ? m : null
  }
  return found ?? undefined
}

/** Tests: `false` forces the WebCrypto path (as on workerd), `true` looks node:crypto up again. */
export function useNodeCrypto(on: boolean): void {
  found = on ? undefined : null
}
