/**
 * cac's parser (mri) turns every numeric-looking value into a number (`--id 0123` → 123, `--blob 12e3` → 12000) and
 * takes a lone `-` for a flag. Values are protected with a marker character before parsing and restored after, so
 * every value reaches the commands exactly as typed. Arguments after `--` are passed through untouched.
 */
const mark = '\u0001'

function needsProtection(token: string): boolean {
  return token === '-' || (token.trim() !== '' && !token.startsWith('-') && Number.isFinite(Number(token)))
}

export function protectArgv(argv: string[]): string[] {
  const out: string[] = []
  let passthrough = false
  for (const token of argv) {
    if (passthrough || token === '--') {
      passthrough = true
      out.push(token)
      continue
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1
    if (eq > 0 && needsProtection(token.slice(eq + 1)))
      out.push(`${token.slice(0, eq + 1)}${mark}${token.slice(eq + 1)}`)
    else out.push(needsProtection(token) ? `${mark}${token}` : token)
  }
  return out
}

/** Removes the markers again, deep through the parsed args/options. */
export function unprotect<T>(value: T): T {
  if (typeof value === 'string') return (value.startsWith(mark) ? value.slice(1) : value) as T
  if (Array.isArray(value)) return value.map(unprotect) as T
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unprotect(v)])) as T
  }
  return value
}
