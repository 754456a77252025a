import { existsSync } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { createProjectKey, encodeProjectKey, projectFileName, projectKeyFingerprint } from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { usageError } from '../util/errors.js'
import { writeAtomic, writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { note } from '../util/report.js'

export interface InitOptions extends KmsFlags {
  keyId: string | undefined
  context: Record<string, string>
  force: boolean
  json: boolean
  /** Directory to write kms-secrets.json into (default: the current directory). */
  dir?: string
}

/**
 * `kms-secrets init --key-id <CMK>`: a new project key pair; writes ./kms-secrets.json (public key + the private key
 * wrapped by the CMK; nothing secret). KMS calls: DescribeKey, then Encrypt (symmetric CMK) or GetPublicKey
 * (asymmetric CMK: the private key is wrapped locally and never reaches KMS). Refuses to overwrite without --force.
 */
export async function initCommand(opts: InitOptions): Promise<number> {
  if (!opts.keyId) throw usageError('init needs --key-id <KeyId> (the CMK that wraps the project key).')
  const file = path.join(opts.dir ?? process.cwd(), projectFileName)
  if (existsSync(file) && !opts.force) {
    throw new KmsSecretsError('ERR_PROJECT_KEY_EXISTS', `${file} exists already.`, {
      hint: 'Files sealed with it would no longer open once it is replaced: use `kms-secrets rotate --project-key` to change the key, or --force to overwrite.',
      file,
    })
  }
  const provider = createProviderPool(opts)()
  const key = await createProjectKey({ provider, keyId: opts.keyId, context: opts.context })
  await writeAtomic(file, encodeProjectKey(key))
  const fingerprint = projectKeyFingerprint(key)
  if (opts.json) {
    const out = { file, keyId: key.keyId, keyUsage: key.keyUsage, wrap: key.wrappedKey.alg, fingerprint }
    await writeStdout(`${JSON.stringify(out, null, 2)}\n`)
  } else {
    note(`wrote ${file}: project key ${fingerprint.slice(0, 16)}… wrapped by ${key.keyId} (${key.keyUsage})`)
    note('commit it; `kms-secrets encrypt <files> -i` now seals offline, with no credentials')
  }
  return 0
}
