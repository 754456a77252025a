import { decodeBlob, decryptWithKey } from '../keys/key-cipher.js'
import { defineAction } from './define.js'
import { assertSymmetric, assertUsable, canonicalContext, refuseUnsupported } from './values.js'

/** Decrypt: no KeyId — the key (and version) come from the blob; the caller needs permission on that key. */
export const Decrypt = defineAction({
  name: 'Decrypt',
  fields: {
    CiphertextBlob: { type: 'string', required: true },
    EncryptionContext: { type: 'string' },
    EncryptionPublicKey: { type: 'string' },
    EncryptionAlgorithm: { type: 'string' },
  },
  async handle(p, ctx) {
    refuseUnsupported(p.EncryptionPublicKey, 'EncryptionPublicKey')
    const blob = decodeBlob(p.CiphertextBlob)
    const context = canonicalContext(p.EncryptionContext)
    const key = await ctx.useKey(blob.keyId, { byIdOnly: true })
    assertSymmetric(key)
    assertUsable(key)
    const plaintext = decryptWithKey(key, blob, context)
    try {
      return { KeyId: key.keyId, Plaintext: plaintext.toString('base64') }
    } finally {
      plaintext.fill(0)
    }
  },
})
