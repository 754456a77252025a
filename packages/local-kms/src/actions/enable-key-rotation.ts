import { defaultRotateDays, setRotation } from '../keys/key-record.js'
import { assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { assertRotatable, checkKeyRef, checkRange } from './values.js'

/** EnableKeyRotation: automatic rotation every RotateDays (7–365, default 365) for an Enabled key. */
export const EnableKeyRotation = defineAction({
  name: 'EnableKeyRotation',
  fields: { KeyId: { type: 'string', required: true }, RotateDays: { type: 'integer' }, ...memberAccountField },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const days = checkRange(p.RotateDays ?? defaultRotateDays, 7, 365, 'InvalidParameterValue', 'RotateDays')
    const key = await ctx.useKey(ref)
    await ctx.store.update(key.keyId, (current) => {
      assertRotatable(current)
      assertApi(current.keyState === 'Enabled', 'ResourceUnavailable.CmkStateNotSupport', 'The key is not enabled.')
      const unchanged = current.rotation.enabled && current.rotation.rotateDays === days
      return unchanged ? current : setRotation(current, true, days, ctx.now)
    })
    return {}
  },
})
