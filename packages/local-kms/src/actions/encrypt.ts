import { encryptWithKey } from '../keys/key-cipher.js'
import { defineAction } from './define.js'
import { assertSymmetric, assertUsable, canonicalContext, checkKeyRef, decodePlaintext } from './values.js'

/** Encrypt: base64 Plaintext (≤ 4096 bytes) under the key's current version, EncryptionContext bound as AAD. */
export const Encrypt = defineAction({
  name: 'Encrypt',
  fields: {
    KeyId: { type: 'string', required: true },
    Plaintext: { type: 'string', required: true },
    EncryptionContext: { type: 'string' },
  },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const plaintext = decodePlaintext(p.Plaintext)
    const context = canonicalContext(p.EncryptionContext)
    try {
      const key = await ctx.useKey(ref)
      assertSymmetric(key)
      assertUsable(key)
      return { CiphertextBlob: encryptWithKey(key, plaintext, context), KeyId: key.keyId }
    } finally {
      plaintext.fill(0)
    }
  },
})
