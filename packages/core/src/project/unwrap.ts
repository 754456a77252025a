import { zero } from '../crypto/aead.js'
import { projectEncryptionContext } from '../envelope/aad.js'
import type { ProjectEnvelopeKms } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import type { CallOptions, DecryptResult, KmsProvider } from '../kms/types.js'

/** What unwrapping needs: the envelope's `kms` (or the same fields from kms-secrets.json) and the user context. */
export interface WrappedProjectKey {
  kms: Pick<ProjectEnvelopeKms, 'region' | 'keyId' | 'blob' | 'wrap' | 'project'>
  context: Record<string, string>
}

/** What unwrapping calls: the runtime's Decrypt-only provider has these too. */
type UnwrapProvider = Pick<KmsProvider, 'decrypt' | 'asymmetricRsaDecrypt' | 'asymmetricSm2Decrypt'>

function unsupported(action: string, keyId: string): KmsSecretsError {
  return new KmsSecretsError('ERR_KMS_CONFIG', `This KMS provider cannot call ${action} (CMK ${keyId}).`, {
    hint: 'Use a Tencent KMS provider (the runtime default, or createTencentProvider of @kms-secrets/core), or give the custom provider that method.',
    keyId,
  })
}

/**
 * Unwraps a project private key with ONE KMS call (FORMAT.md §10.4): wrap "KMS" → Decrypt(blob, EncryptionContext =
 * projectEncryptionContext(context, project)); "RSAES_OAEP_SHA_256" → AsymmetricRsaDecrypt(KeyId, blob,
 * RSAES_OAEP_SHA_256); "SM2" → AsymmetricSm2Decrypt(KeyId, blob). The result carries the KeyId KMS reports (the
 * caller checks it against `kms.keyId`) and the 32-byte P-256 scalar, which the caller zeroes.
 */
export async function unwrapProjectKey(
  wrapped: WrappedProjectKey,
  provider: UnwrapProvider,
  callOptions?: CallOptions,
): Promise<DecryptResult> {
  const { kms, context } = wrapped
  if (kms.wrap === 'KMS') {
    const encryptionContext = projectEncryptionContext(context, kms.project)
    return provider.decrypt({ ciphertextBlob: kms.blob, encryptionContext }, callOptions)
  }
  if (kms.wrap === 'RSAES_OAEP_SHA_256') {
    if (!provider.asymmetricRsaDecrypt) throw unsupported('AsymmetricRsaDecrypt', kms.keyId)
    const req = { keyId: kms.keyId, ciphertext: kms.blob, algorithm: 'RSAES_OAEP_SHA_256' } as const
    return provider.asymmetricRsaDecrypt(req, callOptions)
  }
  if (!provider.asymmetricSm2Decrypt) throw unsupported('AsymmetricSm2Decrypt', kms.keyId)
  return provider.asymmetricSm2Decrypt({ keyId: kms.keyId, ciphertext: kms.blob }, callOptions)
}

/**
 * Single-flight cache of unwrapped project keys for one process or one command: one KMS call per distinct
 * (region, wrap, keyId, blob, EncryptionContext), shared by every envelope of that project key. `dispose()` zeroes
 * every private key it holds.
 */
export interface ProjectKeyCache {
  unwrap(wrapped: WrappedProjectKey, callOptions?: CallOptions): Promise<DecryptResult>
  /** Distinct KMS unwrap calls made so far. */
  readonly calls: number
  dispose(): void
}

export function createProjectKeyCache(providerFor: (region: string) => KmsProvider): ProjectKeyCache {
  const keys = new Map<string, Promise<DecryptResult>>()
  let calls = 0
  return {
    unwrap(wrapped, callOptions) {
      const { kms, context } = wrapped
      const cacheKey = JSON.stringify([kms.region, kms.wrap, kms.keyId, kms.blob, kms.project, context])
      let pending = keys.get(cacheKey)
      if (!pending) {
        calls++
        pending = unwrapProjectKey(wrapped, providerFor(kms.region), callOptions)
        pending.catch(() => keys.delete(cacheKey))
        keys.set(cacheKey, pending)
      }
      return pending
    },
    get calls() {
      return calls
    },
    dispose() {
      for (const p of keys.values())
        p.then(
          (r) => zero(r.plaintext),
          () => {},
        )
      keys.clear()
    },
  }
}
