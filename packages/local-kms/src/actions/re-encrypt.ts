import { decodeBlob, decryptWithKey, encryptWithKey } from '../keys/key-cipher.js'
import { currentVersion } from '../keys/key-record.js'
import { defineAction } from './define.js'
import { assertSymmetric, assertUsable, canonicalContext, checkKeyRef } from './values.js'

/**
 * ReEncrypt: decrypt with the blob's key, encrypt under DestinationKeyId (default: the same key). When nothing would
 * change — same key, blob already on the current version, same context — the original blob comes back with
 * `ReEncrypted: false` (reference §7). An absent DestinationEncryptionContext means "no context".
 */
export const ReEncrypt = defineAction({
  name: 'ReEncrypt',
  fields: {
    CiphertextBlob: { type: 'string', required: true },
    DestinationKeyId: { type: 'string' },
    SourceEncryptionContext: { type: 'string' },
    DestinationEncryptionContext: { type: 'string' },
  },
  async handle(p, ctx) {
    const blob = decodeBlob(p.CiphertextBlob)
    const sourceContext = canonicalContext(p.SourceEncryptionContext, 'SourceEncryptionContext')
    const destinationContext = canonicalContext(p.DestinationEncryptionContext, 'DestinationEncryptionContext')
    const destinationRef = p.DestinationKeyId ? checkKeyRef(p.DestinationKeyId, 'DestinationKeyId') : undefined
    const source = await ctx.useKey(blob.keyId, { byIdOnly: true })
    assertSymmetric(source)
    assertUsable(source)
    const plaintext = decryptWithKey(source, blob, sourceContext)
    try {
      const destination = destinationRef === undefined ? source : await ctx.useKey(destinationRef)
      assertSymmetric(destination)
      assertUsable(destination)
      const reEncrypted =
        destination.keyId !== source.keyId ||
        blob.version !== currentVersion(destination).version ||
        sourceContext !== destinationContext
      return {
        CiphertextBlob: reEncrypted ? encryptWithKey(destination, plaintext, destinationContext) : p.CiphertextBlob,
        KeyId: destination.keyId,
        SourceKeyId: source.keyId,
        ReEncrypted: reEncrypted,
      }
    } finally {
      plaintext.fill(0)
    }
  },
})
