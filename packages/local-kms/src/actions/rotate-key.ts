import { rotateKeyRecord } from '../keys/key-record.js'
import { defineAction, memberAccountField } from './define.js'
import { assertRotatable, assertUsable, checkKeyRef } from './values.js'

/**
 * RotateKey: manual rotation — a new current key version; blobs of older versions still decrypt. Tencent limits this
 * to once per 24 h (RequestLimitExceeded.RotateRateLimited); local-kms does not, so tests can rotate freely.
 */
export const RotateKey = defineAction({
  name: 'RotateKey',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertRotatable(current)
      assertUsable(current)
      return rotateKeyRecord(current, ctx.now)
    })
    return {}
  },
})
