import { basename } from 'node:path'
import {
  type AnyEnvelope,
  createSealer,
  createTencentProvider,
  decodeEnvelope,
  formatFromPath,
  type KmsProvider,
  KmsSecretsError,
  type Sealer,
} from '@kms-secrets/core'
import type { ResolvedOptions } from './options'

/**
 * A sealed file as found on disk: validated and checked against its own name (the envelope's id is bound to the
 * ciphertext by the AAD, so a file copied or renamed would only fail later, at server start).
 */
export function openSealedFile(text: string, path: string, file: string): AnyEnvelope {
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

/**
 * A sealed file must belong to this build: when the user configured `context`, the envelope's context must equal it
 * exactly (ERR_ENVELOPE_CONTEXT, naming the first differing key, never a value); when CMKs are configured
 * (`keyId`/`KMS_SECRETS_KEY_ID`/`keyIds`), `kms.keyId` must be one of them (ERR_ENVELOPE_KEY). The runtime then
 * checks that KMS really unwraps the blob with `kms.keyId`, and v2 authenticates it, so the name cannot lie.
 */
export function checkEnvelopeBinding(envelope: AnyEnvelope, options: ResolvedOptions, file: string): void {
  if (options.contextConfigured) {
    const want = options.context
    const keys = [...new Set([...Object.keys(want), ...Object.keys(envelope.context)])].sort()
    const differing = keys.find((k) => want[k] !== envelope.context[k])
    if (differing !== undefined) {
      const how = !(differing in envelope.context) ? 'lacks' : !(differing in want) ? 'adds' : 'has another value for'
      throw new KmsSecretsError(
        'ERR_ENVELOPE_CONTEXT',
        `${file} was sealed with another encryption context than this build's: it ${how} key "${differing.slice(0, 64)}".`,
        {
          hint: 'Re-seal the file for this build (`kms-secrets encrypt --context k=v …` with the plugin option `context`), or fix the option.',
          file,
        },
      )
    }
  }
  const allowed = options.allowedKeyIds
  if (options.keyId === undefined && allowed.length === 0) return
  if (allowed.length === 0) {
    throw new KmsSecretsError(
      'ERR_PLUGIN_OPTIONS',
      `${file} is sealed, and the configured keyId is an alias, which cannot be compared with the KeyId it records.`,
      { hint: 'List the resolved KeyId(s) in the plugin option `keyIds` (see `kms-secrets keys list`).', file },
    )
  }
  if (!allowed.includes(envelope.kms.keyId)) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_KEY',
      `${file} is wrapped by CMK ${envelope.kms.keyId || '(unknown)'}, which is not one this build allows (${allowed.join(', ')}).`,
      {
        hint: 'Re-seal it with an allowed CMK (`kms-secrets rotate --key-id <KeyId>`), or add the CMK to the plugin option `keyIds`.',
        file,
        keyId: envelope.kms.keyId,
      },
    )
  }
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
        'Create a project key once (`kms-secrets init --key-id <CMK>`: then builds seal with no credentials), set the plugin option `keyId` or the env KMS_SECRETS_KEY_ID, or seal the file beforehand with ' +
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

export function createSealerPool(
  options: ResolvedOptions,
  randomIv?: () => Uint8Array,
  randomSalt?: () => Uint8Array,
): SealerPool {
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
        sealer = createSealer({
          provider,
          keyId,
          context: { ...options.context },
          ...(randomIv ? { randomIv } : {}),
          ...(randomSalt ? { randomSalt } : {}),
        })
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
