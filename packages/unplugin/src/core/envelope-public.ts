/**
 * Strings of an envelope's clear metadata, which the generated module carries as is: its id (the file name), format,
 * KMS region and KeyId, and the encryption context's values. A secret value equal to one of them (a config holding
 * `region: ap-guangzhou`) is in the output because the envelope is, not because plaintext leaked.
 */
export interface EnvelopeMetadata {
  id: string
  format: string
  kms: { region: string; keyId: string }
  context: Readonly<Record<string, string>>
}

export function envelopePublicStrings(envelope: EnvelopeMetadata): string[] {
  const { id, format, kms, context } = envelope
  return [id, format, kms.region, kms.keyId, ...Object.values(context)].filter((s) => typeof s === 'string' && s !== '')
}
