import { isKeyAllowed } from '../auth/identity.js'
import type { KeyRecord } from '../keys/key-record.js'
import { defineAction, memberAccountField } from './define.js'
import { checkRange } from './values.js'

/**
 * ListKeys: user-created keys in Enabled/Disabled state (PendingDelete is not listed, reference §7), in creation
 * order, only those the caller's identity may use.
 */
export const ListKeys = defineAction({
  name: 'ListKeys',
  fields: {
    Offset: { type: 'integer' },
    Limit: { type: 'integer' },
    Role: { type: 'integer' },
    HsmClusterId: { type: 'string' },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const offset = checkRange(p.Offset ?? 0, 0, Number.MAX_SAFE_INTEGER, 'InvalidParameterValue', 'Offset')
    const limit = checkRange(p.Limit ?? 10, 1, 200, 'InvalidParameterValue', 'Limit')
    const role = checkRange(p.Role ?? 0, 0, 1, 'InvalidParameterValue', 'Role')
    const visible: KeyRecord[] = []
    if (role === 0) {
      for (const key of ctx.store.list()) {
        const current = await ctx.store.refresh(key, ctx.now)
        if (current && current.keyState !== 'PendingDelete' && isKeyAllowed(ctx.identity, current))
          visible.push(current)
      }
    }
    return {
      Keys: visible.slice(offset, offset + limit).map((k) => ({ KeyId: k.keyId })),
      TotalCount: visible.length,
    }
  },
})
