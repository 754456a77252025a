import {
  type AnyEnvelope,
  envelopeEncryptionContext,
  type KmsProvider,
  type ParsedSecret,
  type ProjectKey,
  sealSecret,
  sealWithProjectKey,
  wrapBlob,
} from '@kms-secrets/core'
import { note } from './report.js'

/** Tencent KMS Encrypt takes at most 4 KB of plaintext (https://cloud.tencent.com/document/api/573/34420). */
const maxDirectPayload = 4096

/**
 * Seals an edited value like `env` was sealed: same CMK, id, format and context; a direct-mode envelope stays direct
 * (KMS Encrypt of the payload) unless the value outgrew 4 KB, then it becomes envelope mode. With a project key in
 * reach the value is sealed with it instead: offline, no KMS call (the project key's context applies).
 */
export async function resealLike(
  env: AnyEnvelope,
  parsed: ParsedSecret,
  provider: KmsProvider,
  keyId: string,
  projectKey?: ProjectKey,
): Promise<AnyEnvelope> {
  if (projectKey) {
    return sealWithProjectKey(projectKey, {
      id: env.id,
      format: env.format,
      payload: parsed.payload,
      shape: parsed.shape,
    })
  }
  if (env.mode === 'project') throw new Error('unreachable: a project envelope is re-sealed with its project key')
  const base = { id: env.id, format: env.format, context: env.context, shape: parsed.shape }
  if (env.mode === 'direct' && parsed.payload.length <= maxDirectPayload) {
    const probe = wrapBlob({ ...base, blob: 'x', keyId, region: env.kms.region })
    const encryptionContext = envelopeEncryptionContext(probe)
    const res = await provider.encrypt({
      keyId,
      plaintext: parsed.payload,
      ...(encryptionContext === undefined ? {} : { encryptionContext }),
    })
    return wrapBlob({ ...base, blob: res.ciphertextBlob, keyId: res.keyId || keyId, region: env.kms.region })
  }
  if (env.mode === 'direct') note(`${env.id}: the value is now over 4 KB; sealing it in envelope mode (one data key)`)
  return sealSecret({ ...base, provider, keyId, payload: parsed.payload })
}
