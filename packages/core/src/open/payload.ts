import type { SecretFormat } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'

/** Reused: a non-streaming decode keeps no state between calls. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Decodes an opened payload: json/yaml/env payloads are canonical JSON (UTF-8) of the object → the object;
 * text → the UTF-8 string. Invalid UTF-8 or JSON → ERR_ENVELOPE_FIELD (never quoting the bytes).
 */
export function decodePayload(bytes: Uint8Array, format: SecretFormat): unknown {
  let text: string
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    throw payloadError(format, 'is not valid UTF-8')
  }
  if (format === 'text') return text
  try {
    return JSON.parse(text)
  } catch {
    throw payloadError(format, 'is not valid JSON')
  }
}

function payloadError(format: SecretFormat, problem: string): KmsSecretsError {
  return new KmsSecretsError('ERR_ENVELOPE_FIELD', `The decrypted ${format} payload ${problem}.`, {
    hint: 'The value was sealed by an incompatible tool or with the wrong format; re-seal it with `kms-secrets encrypt`.',
  })
}
