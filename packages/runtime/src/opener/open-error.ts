import { isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core/errors'
import { DecryptFailure, type DecryptTarget, decryptError, scrubMessage } from './retry.js'

/** The file `meta` names, for messages: generated code passes `{ file }`; anything else reads "an imported secret". */
export const fileOf = (meta: { file?: unknown } | undefined): string =>
  typeof meta?.file === 'string' && meta.file !== '' ? meta.file : 'an imported secret'

/** Every error leaving `open` is a KmsSecretsError that names the file; foreign messages are never forwarded. */
export function toOpenError(e: unknown, target: DecryptTarget): KmsSecretsError {
  if (e instanceof DecryptFailure) return decryptError(e.error, target, e.attempts, e.exhausted)
  if (isKmsSecretsError(e)) {
    if (e.file === target.file) return e
    return new KmsSecretsError(e.code, `Could not open ${target.file}: ${scrubMessage(e.message)}`, {
      hint: e.hint,
      kmsCode: e.kmsCode,
      requestId: e.requestId,
      file: target.file,
      keyId: e.keyId ?? (target.keyId || undefined),
    })
  }
  const name = e instanceof Error ? e.name : typeof e
  return new KmsSecretsError('ERR_INTERNAL', `Opening ${target.file} failed with an unexpected ${name}.`, {
    hint: 'A bug in kms-secrets: please report it (its message is withheld).',
    file: target.file,
  })
}

/**
 * Default secret-file names in stack frames. A copy of core's extension list (core/src/secret-file/paths.ts): the
 * runtime may not import that build-side module; test/open-error.test.ts holds the two equal.
 */
export const secretFrameRE: RegExp = /\.secret\.(?:json|ya?ml|env|txt|pem|key|crt)\b/
const frameRE = /^\s+at /

/**
 * `/<file>` of every secret file opened in this process (`meta.file`, project-relative, leading `../` dropped): the
 * tail of the absolute path or file URL a stack frame names, whatever `include` made a secret (no name pattern).
 * Kept as given: one Set add per value opened; the tails are built only when an error's frames are filtered.
 */
const openedFiles = new Set<string>()

/** Records a secret file the generated code opens, so frames naming its module are dropped from errors. */
export function rememberSecretFile(file: unknown): void {
  if (typeof file === 'string' && file !== '') openedFiles.add(file)
}

function namesSecretFile(line: string): boolean {
  if (secretFrameRE.test(line)) return true
  for (const file of openedFiles) {
    const tail = `/${file.replaceAll('\\', '/').replace(/^(?:\.{1,2}\/)+/, '')}`
    // Tails built here, on the error path, not per value opened; a name with no URI form has no file URL.
    for (const t of [tail, (tail as string & { isWellFormed(): boolean }).isWellFormed() ? encodeURI(tail) : tail])
      if (line.includes(`${t}:`) || line.includes(`${t}?`)) return true
  }
  return false
}

/**
 * Drops stack frames that name a secret file (the generated module awaiting `openSecret`): by the `.secret.` name
 * pattern and by every file opened so far. Error printers — vitest, vite's overlay, source-map-support — show a code
 * frame read from the file of a frame, which for a plaintext secret file on a developer's or CI machine is the
 * plaintext itself. The message (which names the file) stays.
 */
export function withoutSecretFrames<E>(e: E): E {
  if (e instanceof Error && typeof e.stack === 'string') {
    e.stack = e.stack
      .split('\n')
      .filter((line) => !(frameRE.test(line) && namesSecretFile(line)))
      .join('\n')
  }
  return e
}
