import { decryptSm2 } from '../keys/sm2.js'
import { defineAction } from './define.js'
import { assertAsymmetricUsable, checkKeyRef, decodeCiphertext } from './values.js'

/** "原始密文长度不能超过256字节" — the decoded ciphertext is at most 256 bytes (API doc 573/42141). */
const maxCiphertextBytes = 256

/**
 * AsymmetricSm2Decrypt: decrypts with the private half of an Enabled ASYMMETRIC_DECRYPT_SM2 key a Ciphertext made
 * with its public key: base64 of the C1C3C2 ASN.1 DER form (see keys/sm2-ciphertext.ts). Raw C1C3C2/C1C2C3 bytes,
 * bad DER or a failed C3 check are FailedOperation.DecryptError.
 */
export const AsymmetricSm2Decrypt = defineAction({
  name: 'AsymmetricSm2Decrypt',
  fields: {
    KeyId: { type: 'string', required: true },
    Ciphertext: { type: 'string', required: true },
  },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const ciphertext = decodeCiphertext(p.Ciphertext, maxCiphertextBytes)
    const key = await ctx.useKey(ref)
    const pair = assertAsymmetricUsable(key, 'ASYMMETRIC_DECRYPT_SM2')
    const plaintext = decryptSm2(pair, ciphertext)
    try {
      return { KeyId: key.keyId, Plaintext: plaintext.toString('base64') }
    } finally {
      plaintext.fill(0)
    }
  },
})
