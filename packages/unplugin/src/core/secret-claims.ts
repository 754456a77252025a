import { isAbsolute } from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core'
import type { SecretsContext } from './context'
import { splitId } from './guards'
import { localKmsDataDirOf } from './local-kms-data'
import type { SecretIndex } from './secret-index'

/** Every id a secret file can have: the extensions a secret format exists for, with or without a `?query`. */
export const loadableRE = /\.(?:json|ya?ml|env|txt|pem|key|crt)(?:[?#].*)?$/

/**
 * What the load hook does with an id: `'secret'` seals it — a secret file by include/exclude, or another name of one
 * (a hard link, or a symlink kept by `preserveSymlinks`) that would otherwise reach the JSON/asset loaders as
 * plaintext; `'kms-data'` refuses it — a file of a local-kms data dir; undefined leaves it to other plugins.
 */
export function claimOf(ctx: SecretsContext, index: SecretIndex, id: string): 'secret' | 'kms-data' | undefined {
  if (ctx.matches(id)) return 'secret'
  if (id.includes('\0') || !loadableRE.test(id)) return undefined
  const { path } = splitId(id)
  if (!isAbsolute(path)) return undefined
  if (localKmsDataDirOf(path) !== undefined) return 'kms-data'
  return index.secretFileOf(path) === undefined ? undefined : 'secret'
}

/** ERR_PLUGIN_LEAK: a module imports a file of local-kms's data dir (credentials, key material). */
export function kmsDataImportError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_LEAK',
    `${file} is in a local-kms data dir (identities and key material): importing it would put them into the bundle.`,
    { hint: 'Remove the import, and start local-kms with a --data-dir outside the project.', file },
  )
}
