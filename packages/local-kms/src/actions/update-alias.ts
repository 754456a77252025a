import { assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { assertNotPendingDelete, checkAlias, checkKeyRef } from './values.js'

/** UpdateAlias: gives the key a new unique alias (the old one is freed). Not while PendingDelete. */
export const UpdateAlias = defineAction({
  name: 'UpdateAlias',
  fields: {
    Alias: { type: 'string', required: true },
    KeyId: { type: 'string', required: true },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const alias = checkAlias(p.Alias)
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    await ctx.store.update(key.keyId, (current) => {
      assertNotPendingDelete(current)
      if (current.alias === alias) return current
      assertApi(!ctx.store.findByAlias(alias), 'InvalidParameterValue.AliasAlreadyExists', 'The alias is in use.')
      return { ...current, alias }
    })
    return {}
  },
})
