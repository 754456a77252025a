import { defineAction, memberAccountField } from './define.js'
import { assertNotPendingDelete, checkKeyRef } from './values.js'

/** DisableKey: Enabled → Disabled; crypto calls then fail with ResourceUnavailable.CmkDisabled. */
export const DisableKey = defineAction({
  name: 'DisableKey',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertNotPendingDelete(current)
      return current.keyState === 'Disabled' ? current : { ...current, keyState: 'Disabled' }
    })
    return {}
  },
})
