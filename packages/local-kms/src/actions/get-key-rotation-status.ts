import { defineAction, memberAccountField } from './define.js'
import { checkKeyRef } from './values.js'

/** GetKeyRotationStatus: whether automatic rotation is on, plus its schedule. */
export const GetKeyRotationStatus = defineAction({
  name: 'GetKeyRotationStatus',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    return {
      KeyRotationEnabled: key.rotation.enabled,
      NextRotateTime: key.rotation.nextRotateTime,
      LastRotateTime: key.rotation.lastRotateTime,
      RotateDays: key.rotation.rotateDays,
      IsSyncReplica: false,
    }
  },
})
