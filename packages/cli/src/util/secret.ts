import path from 'node:path'
import {
  type AnyEnvelope,
  decodeEnvelope,
  decodePayload,
  formatFromPath,
  isEnvelopeText,
  type KmsProvider,
  openEnvelope,
  parseSecretFile,
  type SecretFormat,
  secretExtensions,
} from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { readText } from './fs.js'

/** Reads and validates a sealed file; a plaintext file → ERR_ENVELOPE_PARSE with a hint to encrypt it. */
export async function readEnvelope(file: string): Promise<AnyEnvelope> {
  return parseEnvelope(await readText(file), file)
}

/** Validates the text of a sealed file read already (as `readEnvelope`, without reading it again). */
export function parseEnvelope(text: string, file: string): AnyEnvelope {
  if (!isEnvelopeText(text)) {
    throw new KmsSecretsError('ERR_ENVELOPE_PARSE', `${file} is not a sealed kms-secrets envelope.`, {
      hint: `Seal it first: kms-secrets encrypt ${file} --key-id <KeyId> -i`,
      file,
    })
  }
  return decodeEnvelope(text, file)
}

/** Decrypts a sealed file in memory: one KMS Decrypt, then AES-GCM. The payload bytes are zeroed. */
export async function openSecretFile(
  file: string,
  providerFor: (region?: string) => KmsProvider,
): Promise<{ envelope: AnyEnvelope; value: unknown }> {
  const envelope = await readEnvelope(file)
  return { envelope, value: await openValue(envelope, file, providerFor) }
}

/** The value of an envelope read already: one KMS Decrypt, then AES-GCM. The payload bytes are zeroed. */
async function openValue(
  envelope: AnyEnvelope,
  file: string,
  providerFor: (region?: string) => KmsProvider,
): Promise<unknown> {
  const bytes = await openEnvelope(envelope, { provider: providerFor(envelope.kms.region), file })
  try {
    return decodePayload(bytes, envelope.format)
  } finally {
    bytes.fill(0)
  }
}

/** The format of a secret file from its name, or the explicit `--format`; neither → ERR_SECRET_FORMAT. */
export function resolveFormat(file: string, explicit?: string): SecretFormat {
  const format = explicit ?? formatFromPath(file)
  if (format === 'json' || format === 'yaml' || format === 'env' || format === 'text') return format
  throw new KmsSecretsError(
    'ERR_SECRET_FORMAT',
    `Cannot tell the format of ${file}${explicit ? ` ("${explicit}")` : ''}.`,
    {
      hint: `Name it *.secret.${secretExtensions.join('|')}, or pass --format json|yaml|env|text.`,
      file,
    },
  )
}

/**
 * The value of a secret file, sealed or not: sealed → decrypted in memory; plaintext → parsed (no KMS call).
 * Used by `scan`, which may be given either.
 */
export async function loadSecretValue(file: string, providerFor: (region?: string) => KmsProvider): Promise<unknown> {
  const text = await readText(file)
  if (isEnvelopeText(text)) return openValue(parseEnvelope(text, file), file, providerFor)
  const parsed = parseSecretFile(text, resolveFormat(file), file)
  parsed.payload.fill(0)
  return parsed.value
}

/** Default logical id of a file: its base name (what the plugin binds the import to). */
export function defaultId(file: string): string {
  return path.basename(file)
}
