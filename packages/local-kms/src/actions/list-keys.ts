import { defineAction, memberAccountField } from './define.js'
import { checkListPage, listPageFields, visibleKeys } from './key-listing.js'

/**
 * ListKeys: user-created keys in Enabled/Disabled state (PendingDelete is not listed, reference §7), in creation
 * order, only those the caller's identity may use.
 */
export const ListKeys = defineAction({
  name: 'ListKeys',
  fields: {
    ...listPageFields,
    HsmClusterId: { type: 'string' },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const { offset, limit, role } = checkListPage(p)
    const visible = role === 0 ? await visibleKeys(ctx, (k) => k.keyState !== 'PendingDelete') : []
    return {
      Keys: visible.slice(offset, offset + limit).map((k) => ({ KeyId: k.keyId })),
      TotalCount: visible.length,
    }
  },
})
