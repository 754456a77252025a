import { KmsSecretsError } from '@kms-secrets/core/errors'
import { usageError } from './errors.js'

/** Repeatable flags arrive as a string, a list or nothing: always a list of strings. */
export function toList(value: unknown): string[] {
  if (value === undefined || value === null || value === false) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

/** An optional single-valued string flag; repeated → the last one wins (as with most CLIs). */
export function toOptionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  const last = Array.isArray(value) ? value.at(-1) : value
  if (last === true || last === '' || last === undefined) throw usageError(`Option ${flag} needs a value.`)
  return String(last)
}

/** `--context k=v` (repeatable) → { k: v }. The values are not secret (they are stored in clear in the envelope). */
export function parseContext(pairs: string[]): Record<string, string> {
  const context: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) {
      throw new KmsSecretsError(
        'ERR_CONTEXT_INVALID',
        `--context "${pair.slice(0, 64)}" is not of the form key=value.`,
        {
          hint: 'Pass each context pair as --context key=value, e.g. --context app=api --context env=prod.',
        },
      )
    }
    context[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return context
}

/** `--file NAME=path` → [NAME, path]; NAME must be a valid environment variable name. */
export function parseNamedFile(spec: string): [string, string] {
  const eq = spec.indexOf('=')
  const name = spec.slice(0, Math.max(eq, 0))
  if (eq <= 0 || !/^[A-Z_a-z]\w*$/.test(name) || eq === spec.length - 1) {
    throw usageError(
      `--file "${spec}" is not of the form NAME=path.`,
      'Example: --file TLS_KEY=tls.secret.pem (the child gets $TLS_KEY = a path to read).',
    )
  }
  return [name, spec.slice(eq + 1)]
}
