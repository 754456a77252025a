/**
 * Canonical JSON: no whitespace, object keys sorted by UTF-16 code unit order (the default `Array#sort`),
 * strings and numbers as `JSON.stringify` writes them. Used for the AES-GCM associated data and the KMS
 * EncryptionContext, so the same logical value always yields the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

/** True for `{}`-style objects (not arrays, not class instances such as Date or Buffer). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
