import type { Envelope } from '@kms-secrets/core'

/** A mutated copy of an envelope object plus where the mutation was made (for attribution in figures). */
export interface Mutation {
  where: string
  envelope: Record<string, unknown>
}

const clone = <T>(v: T): T => structuredClone(v)

/** A well-formed (v1) envelope whose ciphertext opens under no key: the start for parser and validation attacks. */
export const wellFormedEnvelope = {
  kmsSecrets: 1,
  alg: 'AES-256-GCM',
  mode: 'envelope',
  id: 'db.secret.json',
  format: 'json',
  kms: { provider: 'tencent', region: 'ap-guangzhou', keyId: 'k-1', blob: 'YWJj-k-ZGVm-k-Z2hp' },
  context: { app: 'shop' },
  shape: { object: { password: 'string' } },
  iv: 'AAAAAAAAAAAAAAAA',
  data: 'AAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
}

/** Every single-bit flip of the bytes behind a base64 field (iv, data, tag). */
export function* byteFlips(env: Envelope, field: 'iv' | 'data' | 'tag'): Generator<Mutation> {
  const bytes = Buffer.from((env as unknown as Record<string, string>)[field]!, 'base64')
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const copy = Buffer.from(bytes)
    copy[bit >> 3]! ^= 1 << (bit & 7)
    const e = clone(env) as unknown as Record<string, unknown>
    e[field] = copy.toString('base64')
    yield { where: field, envelope: e }
  }
}

/** Flips each of the low `bits` bits of every UTF-16 unit of a string. */
export function* charFlips(s: string, bits = 8): Generator<string> {
  for (let i = 0; i < s.length; i++) {
    for (let b = 0; b < bits; b++) {
      const code = s.charCodeAt(i) ^ (1 << b)
      yield s.slice(0, i) + String.fromCharCode(code) + s.slice(i + 1)
    }
  }
}

/** Every string inside the envelope (values AND object keys, e.g. of context and shape) with its path. */
function stringSites(value: unknown, path: string, out: { path: string; get: (o: unknown) => unknown }[]): void {
  if (typeof value === 'string') out.push({ path, get: () => value })
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ path: `${path}.{${k}}`, get: () => k })
      stringSites(v, `${path}.${k}`, out)
    }
  }
}

function setAt(root: Record<string, unknown>, path: string, next: string): void {
  const parts = path.split('.').slice(1)
  let node = root as Record<string, unknown>
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>
  const last = parts[parts.length - 1]!
  const key = /^\{(.*)\}$/.exec(last)
  if (!key) {
    node[last] = next
    return
  }
  // Rename a key, keeping its value and the other keys' order.
  const entries = Object.entries(node).map(([k, v]) => [k === key[1] ? next : k, v] as const)
  for (const k of Object.keys(node)) delete node[k]
  for (const [k, v] of entries) node[k] = v
}

/** Every bit flip of every character of every string field and key (id, format, kms.*, context, shape, …). */
export function* stringFieldFlips(env: Envelope, skip: string[] = []): Generator<Mutation> {
  const sites: { path: string; get: (o: unknown) => unknown }[] = []
  stringSites(env, '$', sites)
  for (const site of sites) {
    if (skip.some((s) => site.path === s || site.path.startsWith(`${s}.`))) continue
    for (const next of charFlips(site.get(env) as string)) {
      const e = clone(env) as unknown as Record<string, unknown>
      setAt(e, site.path, next)
      yield { where: site.path.replace(/\{[^}]*\}/g, '{key}'), envelope: e }
    }
  }
}

/** Coarse field name of a mutation site, for figures: `$.kms.blob` → `kms.blob`, `$.shape.object.x` → `shape`. */
export function fieldOf(where: string): string {
  const parts = where.replace(/^\$\.?/, '').split('.')
  if (parts[0] === 'kms') return parts.slice(0, 2).join('.')
  return parts[0] || where
}
