import { assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { checkKeyRef } from './values.js'

/** CancelKeyDeletion: PendingDelete → Disabled, as Tencent does (the key is not re-enabled). */
export const CancelKeyDeletion = defineAction({
  name: 'CancelKeyDeletion',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertApi(
        current.keyState === 'PendingDelete',
        'ResourceUnavailable.CmkNotPendingDelete',
        'The key is not pending deletion.',
      )
      return { ...current, keyState: 'Disabled', deletionDate: 0 }
    })
    return { KeyId: key.keyId }
  },
})
