/**
 * Canonical JSON: no whitespace, object keys sorted by UTF-16 code unit order (the default `Array#sort`),
 * strings and numbers as `JSON.stringify` writes them. Used for the AES-GCM associated data and the KMS
 * EncryptionContext, so the same logical value always yields the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  // Plain loops and string appends: it runs for every value opened (AAD), so no intermediate arrays.
  let out = ''
  if (Array.isArray(value)) {
    for (const v of value) out += `${out === '' ? '' : ','}${canonicalJson(v)}`
    return `[${out}]`
  }
  const obj = value as Record<string, unknown>
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] !== undefined) out += `${out === '' ? '' : ','}${JSON.stringify(k)}:${canonicalJson(obj[k])}`
  }
  return `{${out}}`
}

/** True for `{}`-style objects (not arrays, not class instances such as Date or Buffer). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
