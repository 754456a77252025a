import { isAsymmetricUsage, publicKeyPemOf } from '../keys/key-pair.js'
import { assertApi } from '../server/api-error.js'
import { defineAction } from './define.js'
import { checkKeyRef } from './values.js'

/**
 * GetPublicKey: the public half of an Enabled asymmetric key (reference §7). `PublicKey` is base64 of the DER
 * SubjectPublicKeyInfo — rsaEncryption for RSA_2048, id-ecPublicKey + the SM2 curve for SM2 — and `PublicKeyPem` the
 * same key as PEM. A symmetric key has no public half: InvalidParameterValue.InvalidKeyUsage (our choice; Tencent's
 * list for this action names no code for it).
 */
export const GetPublicKey = defineAction({
  name: 'GetPublicKey',
  fields: { KeyId: { type: 'string', required: true } },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    assertApi(
      isAsymmetricUsage(key.keyUsage) && key.keyPair,
      'InvalidParameterValue.InvalidKeyUsage',
      'The key is not asymmetric: it has no public key.',
    )
    assertApi(key.keyState === 'Enabled', 'ResourceUnavailable.CmkStateNotSupport', 'The key is not Enabled.')
    const { publicKey } = key.keyPair
    return { KeyId: key.keyId, PublicKey: publicKey, PublicKeyPem: publicKeyPemOf(publicKey) }
  },
})
