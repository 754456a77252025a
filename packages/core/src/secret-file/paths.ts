import type { SecretFormat } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'

/**
 * The one list of secret-file extensions and the format each is parsed as. Every other spelling — core's
 * `secretFileRE`, the plugin's load filters (rollup family, webpack/rspack, esbuild's Go-side RE2 filters), Next's
 * Turbopack rule globs, the format errors' hints — is derived from it. The runtime keeps its own copy for stack
 * scrubbing (it may not import this build-side module); a runtime test holds the two equal. vite's `server.fs.deny`
 * glob is deliberately wider (`*.secret.*`: backups of a secret too).
 */
export const secretFormatByExtension = {
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  env: 'env',
  txt: 'text',
  pem: 'text',
  key: 'text',
  crt: 'text',
} as const satisfies Record<string, SecretFormat>

export type SecretExtension = keyof typeof secretFormatByExtension

export const secretExtensions: readonly SecretExtension[] = Object.freeze(
  Object.keys(secretFormatByExtension) as SecretExtension[],
)

/** `json|yaml|yml|…`: a regex alternation of the extensions (no lookarounds: esbuild's filters run in Go's RE2). */
export const secretExtensionPattern: string = secretExtensions.join('|')

/** `*.secret.{json,yaml,yml,env,txt,pem,key,crt}` at the end of a module id, ignoring a `?query`. */
export const secretFileRE: RegExp = new RegExp(`\\.secret\\.(?:${secretExtensionPattern})(?:\\?.*)?$`)

/** The secret format of a path by its extension (query and hash ignored, case-insensitive), or undefined. */
export function formatFromPath(path: string): SecretFormat | undefined {
  const clean = path.replace(/[?#].*$/, '')
  const ext = clean.slice(clean.lastIndexOf('.') + 1).toLowerCase()
  if (clean.lastIndexOf('.') < 0 || !Object.hasOwn(secretFormatByExtension, ext)) return undefined
  return secretFormatByExtension[ext as SecretExtension]
}

/** Which extensions hold objects and which strings, for hints: `.json, .yaml, .yml, .env (objects) or .txt… (strings)`. */
export function secretExtensionsHint(): string {
  const list = (objects: boolean) =>
    secretExtensions
      .filter((e) => (secretFormatByExtension[e] !== 'text') === objects)
      .map((e) => `.${e}`)
      .join(', ')
  return `Secret files end in ${list(true)} (objects) or ${list(false)} (strings).`
}

/**
 * The secret format of a file by its extension, or ERR_SECRET_FORMAT naming the file. `why` says why the file was
 * taken for a secret (e.g. "matches the plugin's include"); callers with another way to name the format (the CLI's
 * `--format`) check `formatFromPath` themselves.
 */
export function secretFormatOf(path: string, file: string, why = 'is read as a secret file'): SecretFormat {
  const format = formatFromPath(path)
  if (format !== undefined) return format
  throw new KmsSecretsError('ERR_SECRET_FORMAT', `${file} ${why} but has no known secret format.`, {
    hint: secretExtensionsHint(),
    file,
  })
}
