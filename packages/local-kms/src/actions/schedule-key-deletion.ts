import { scheduleDeletion } from '../keys/key-record.js'
import { assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { assertNotPendingDelete, checkKeyRef, checkRange } from './values.js'

/**
 * ScheduleKeyDeletion: only a Disabled key (reference §8); it becomes PendingDelete and disappears once DeletionDate
 * has passed (checked whenever the key is looked up).
 */
export const ScheduleKeyDeletion = defineAction({
  name: 'ScheduleKeyDeletion',
  fields: {
    KeyId: { type: 'string', required: true },
    PendingWindowInDays: { type: 'integer', required: true },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const days = checkRange(
      p.PendingWindowInDays,
      7,
      30,
      'InvalidParameter.InvalidPendingWindowInDays',
      'PendingWindowInDays',
    )
    const key = await ctx.useKey(ref)
    const updated = await ctx.store.update(key.keyId, (current) => {
      assertNotPendingDelete(current)
      assertApi(
        current.keyState === 'Disabled',
        'ResourceUnavailable.CmkShouldBeDisabled',
        'The key must be disabled before its deletion is scheduled.',
      )
      return scheduleDeletion(current, days, ctx.now)
    })
    return { DeletionDate: updated.deletionDate, KeyId: updated.keyId }
  },
})
