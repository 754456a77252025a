import { defineAction, memberAccountField } from './define.js'
import { keyMetadataOf } from './key-metadata.js'
import { checkKeyRef } from './values.js'

/** DescribeKey: the key's metadata, in any state. */
export const DescribeKey = defineAction({
  name: 'DescribeKey',
  fields: { KeyId: { type: 'string', required: true }, ...memberAccountField },
  async handle(p, ctx) {
    const key = await ctx.useKey(checkKeyRef(p.KeyId))
    return { KeyMetadata: keyMetadataOf(key) }
  },
})
