import { isAbsolute } from 'node:path'
import { KmsSecretsError, secretExtensionPattern } from '@kms-secrets/core'
import type { SecretsContext } from './context'
import { splitId } from './guards'
import { localKmsDataDirOf } from './local-kms-data'

/**
 * Every id a secret file can have: the extensions a secret format exists for (core's one list), with or without a
 * `?query`. A cheap superset for hook filters; `claimOf` applies include/exclude.
 */
export const loadableRE: RegExp = new RegExp(`\\.(?:${secretExtensionPattern})(?:[?#].*)?$`)

/**
 * What the load hook does with an id: `'secret'` seals it — a secret file by include/exclude, or another name of one
 * (a hard link, or a symlink kept by `preserveSymlinks`) that would otherwise reach the JSON/asset loaders as
 * plaintext; `'kms-data'` refuses it — a file of a local-kms data dir; undefined leaves it to other plugins.
 */
export function claimOf(
  ctx: Pick<SecretsContext, 'matches' | 'secrets'>,
  id: string,
): 'secret' | 'kms-data' | undefined {
  if (ctx.matches(id)) return 'secret'
  if (id.includes('\0') || !loadableRE.test(id)) return undefined
  const { path } = splitId(id)
  if (!isAbsolute(path)) return undefined
  if (localKmsDataDirOf(path) !== undefined) return 'kms-data'
  return ctx.secrets.secretFileOf(path) === undefined ? undefined : 'secret'
}

/** ERR_PLUGIN_LEAK: a module imports a file of local-kms's data dir (credentials, key material). */
export function kmsDataImportError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_LEAK',
    `${file} is in a local-kms data dir (identities and key material): importing it would put them into the bundle.`,
    { hint: 'Remove the import, and start local-kms with a --data-dir outside the project.', file },
  )
}
