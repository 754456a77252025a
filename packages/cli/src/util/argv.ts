import { KmsSecretsError } from '@kms-secrets/core/errors'
import { usageError } from './errors.js'

// Argument vectors, both ways: the CLI's own argv into values the commands take as typed, and an $EDITOR command
// line into the argv the CLI spawns.

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

/**
 * Splits an $EDITOR-style command line the simple way a shell would: whitespace separates words; single quotes keep
 * everything literally; double quotes keep spaces and allow \" and \\; a backslash outside quotes escapes one char.
 * No expansion of variables, globs or `~`.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}

/** $VISUAL, then $EDITOR, then `vi` (as git and sops do). */
export function resolveEditor(env: NodeJS.ProcessEnv): string[] {
  const line = env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi'
  const words = splitCommandLine(line)
  return words.length > 0 ? words : ['vi']
}
