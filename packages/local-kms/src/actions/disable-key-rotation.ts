import { setRotation } from '../keys/key-record.js'
import { defineAction, memberAccountField } from './define.js'
import { assertNotPendingDelete, checkKeyRef } from './values.js'

/** DisableKeyRotation: stops automatic rotation; existing versions stay. */
export const DisableKeyRotation = defineAction({
  name: 'DisableKeyRotation',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertNotPendingDelete(current)
      return current.rotation.enabled ? setRotation(current, false, current.rotation.rotateDays, ctx.now) : current
    })
    return {}
  },
})
