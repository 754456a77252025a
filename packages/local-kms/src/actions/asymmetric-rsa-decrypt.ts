import { decryptRsa, type RsaAlgorithm, rsaAlgorithms } from '../keys/rsa.js'
import { assertApi } from '../server/api-error.js'
import { defineAction } from './define.js'
import { assertAsymmetricUsable, checkKeyRef, decodeCiphertext } from './values.js'

/** An RSA-2048 ciphertext is exactly one modulus long; anything longer is refused before decoding. */
const maxCiphertextBytes = 256

function checkAlgorithm(value: string): RsaAlgorithm {
  assertApi(
    (rsaAlgorithms as readonly string[]).includes(value),
    'InvalidParameter',
    `Algorithm must be one of ${rsaAlgorithms.join(', ')}.`,
  )
  return value as RsaAlgorithm
}

/**
 * AsymmetricRsaDecrypt: decrypts with the private half of an Enabled ASYMMETRIC_DECRYPT_RSA_2048 key a Ciphertext
 * made with its public key under `Algorithm`. A wrong algorithm, length or tampered byte is FailedOperation.DecryptError.
 */
export const AsymmetricRsaDecrypt = defineAction({
  name: 'AsymmetricRsaDecrypt',
  fields: {
    KeyId: { type: 'string', required: true },
    Ciphertext: { type: 'string', required: true },
    Algorithm: { type: 'string', required: true },
  },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const algorithm = checkAlgorithm(p.Algorithm)
    const ciphertext = decodeCiphertext(p.Ciphertext, maxCiphertextBytes)
    const key = await ctx.useKey(ref)
    const pair = assertAsymmetricUsable(key, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const plaintext = decryptRsa(pair, algorithm, ciphertext)
    try {
      return { KeyId: key.keyId, Plaintext: plaintext.toString('base64') }
    } finally {
      plaintext.fill(0)
    }
  },
})
