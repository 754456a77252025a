import { basename } from 'node:path'
import {
  createSealer,
  createTencentProvider,
  decodeEnvelope,
  type Envelope,
  formatFromPath,
  type KmsProvider,
  KmsSecretsError,
  type Sealer,
  type SecretFormat,
} from '@kms-secrets/core'
import type { ResolvedOptions } from './options'

/**
 * A sealed file as found on disk: validated and checked against its own name (the envelope's id is bound to the
 * ciphertext by the AAD, so a file copied or renamed would only fail later, at server start).
 */
export function openSealedFile(text: string, path: string, file: string): Envelope {
  const envelope = decodeEnvelope(text, file)
  const name = basename(path)
  /* Precondition: the envelope belongs to this file name. */
  if (envelope.id !== name) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_MISMATCH',
      `${file} holds the sealed envelope of "${envelope.id}", not of "${name}" (the id is bound to the ciphertext).`,
      {
        hint: `Rename the file back to ${envelope.id}, or re-seal the value under its new name (\`kms-secrets decrypt\`, then \`kms-secrets encrypt\`).`,
        file,
      },
    )
  }
  const format = formatFromPath(path)
  if (format !== undefined && format !== envelope.format) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_MISMATCH',
      `${file} holds a sealed ${envelope.format} secret, but its extension says ${format}.`,
      { hint: 'Restore the file from git, or re-seal it with `kms-secrets encrypt`.', file },
    )
  }
  return envelope
}

/** The secret format of a plaintext file, or ERR_SECRET_FORMAT for an extension no parser knows. */
export function formatOf(path: string, file: string): SecretFormat {
  const format = formatFromPath(path)
  if (format !== undefined) return format
  throw new KmsSecretsError(
    'ERR_SECRET_FORMAT',
    `${file} matches the plugin's include but has no known secret format.`,
    {
      hint: 'Secret files end in .json, .yaml, .yml, .env (objects) or .txt, .pem, .key, .crt (strings).',
      file,
    },
  )
}

export function plaintextForbiddenError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_PLAINTEXT_FORBIDDEN',
    `${file} is plaintext, and this build only accepts sealed secret files (plugin option plaintext: 'error').`,
    { hint: `Seal it and commit the result: \`kms-secrets encrypt ${file} --key-id <KeyId> -i\`.`, file },
  )
}

export function missingKeyIdError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_OPTIONS',
    `${file} is plaintext and must be sealed during the build, but no CMK is configured.`,
    {
      hint:
        'Set the plugin option `keyId` or the env KMS_SECRETS_KEY_ID, or seal the file beforehand with ' +
        `\`kms-secrets encrypt ${file} --key-id <KeyId> -i\`.`,
      file,
    },
  )
}

/** Build-wide sealers, one per CMK: at most one GenerateDataKey per build per CMK, however many files. */
export interface SealerPool {
  get(keyId: string): Sealer
  /** Zeroes every data key and forgets the sealers (idempotent). */
  dispose(): void
}

export function createSealerPool(options: ResolvedOptions, randomIv?: () => Uint8Array): SealerPool {
  let provider: KmsProvider | undefined
  const sealers = new Map<string, Sealer>()
  return {
    get(keyId) {
      let sealer = sealers.get(keyId)
      if (sealer === undefined) {
        // Only a plaintext file needs KMS: sealed-on-disk builds never create a provider or look for credentials.
        provider ??=
          options.provider ??
          createTencentProvider({
            ...(options.region === undefined ? {} : { region: options.region }),
            ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
          })
        sealer = createSealer({ provider, keyId, context: { ...options.context }, ...(randomIv ? { randomIv } : {}) })
        sealers.set(keyId, sealer)
      }
      return sealer
    },
    dispose() {
      for (const sealer of sealers.values()) sealer.dispose()
      sealers.clear()
    },
  }
}
