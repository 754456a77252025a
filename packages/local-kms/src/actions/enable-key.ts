import { defineAction, memberAccountField } from './define.js'
import { assertNotPendingDelete, checkKeyRef } from './values.js'

/** EnableKey: Disabled → Enabled (Enabled stays Enabled); a key pending deletion must be cancelled first. */
export const EnableKey = defineAction({
  name: 'EnableKey',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertNotPendingDelete(current)
      return current.keyState === 'Enabled' ? current : { ...current, keyState: 'Enabled' }
    })
    return {}
  },
})
