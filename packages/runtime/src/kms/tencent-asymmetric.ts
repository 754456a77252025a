import type { DecryptProvider } from './tencent-decrypt.js'
import { type KmsCall, kmsCall } from './tencent-decrypt.js'

/**
 * Mode "project" only (`@kms-secrets/runtime/project`): a project key wrapped by an asymmetric CMK (FORMAT.md §10.4)
 * is unwrapped with AsymmetricRsaDecrypt or AsymmetricSm2Decrypt, which our Tencent provider sends through its
 * `kmsCall`, signed and checked as Decrypt is. Kept out of the inlined runtime: bundles without project envelopes
 * carry Decrypt only. Any other provider (the `provider` option) is returned as it is: its own asymmetric methods,
 * or none (core's unwrap then fails with ERR_KMS_CONFIG).
 */
export function withAsymmetricDecrypts(p: DecryptProvider): DecryptProvider {
  const call = (p as { [kmsCall]?: KmsCall })[kmsCall]
  if (typeof call !== 'function') return p
  return {
    decrypt: p.decrypt,
    asymmetricRsaDecrypt: (req, opts) =>
      call('AsymmetricRsaDecrypt', { KeyId: req.keyId, Ciphertext: req.ciphertext, Algorithm: req.algorithm }, opts),
    asymmetricSm2Decrypt: (req, opts) =>
      call('AsymmetricSm2Decrypt', { KeyId: req.keyId, Ciphertext: req.ciphertext }, opts),
  }
}
