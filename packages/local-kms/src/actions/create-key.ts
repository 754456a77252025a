import { createKeyRecord } from '../keys/key-record.js'
import { ApiError, assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { checkAlias, checkDescription } from './values.js'

const asymmetricUsages = new Set([
  'ASYMMETRIC_DECRYPT_RSA_2048',
  'ASYMMETRIC_DECRYPT_SM2',
  'ASYMMETRIC_SIGN_VERIFY_SM2',
  'ASYMMETRIC_SIGN_VERIFY_ECC',
  'ASYMMETRIC_SIGN_VERIFY_RSA_2048',
  'ASYMMETRIC_SIGN_VERIFY_ECDSA384',
])

function checkKeyUsage(usage: string | undefined): void {
  if (usage === undefined || usage === 'ENCRYPT_DECRYPT') return
  if (asymmetricUsages.has(usage)) {
    throw new ApiError(
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
      'local-kms only supports KeyUsage ENCRYPT_DECRYPT.',
    )
  }
  throw new ApiError('InvalidParameterValue.InvalidKeyUsage', 'KeyUsage is not a known key usage.')
}

function checkType(type: number | undefined): void {
  if (type === undefined || type === 1) return
  if (type === 2) throw new ApiError('UnsupportedOperation', 'local-kms does not support EXTERNAL keys (Type 2).')
  throw new ApiError('InvalidParameterValue.InvalidType', 'Type must be 1 (KMS-generated) or 2 (EXTERNAL).')
}

/** CreateKey: a new Enabled AES-256 key with a unique alias. */
export const CreateKey = defineAction({
  name: 'CreateKey',
  fields: {
    Alias: { type: 'string', required: true },
    Description: { type: 'string' },
    KeyUsage: { type: 'string' },
    Type: { type: 'integer' },
    Tags: { type: 'array' },
    HsmClusterId: { type: 'string' },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const alias = checkAlias(p.Alias)
    const description = checkDescription(p.Description)
    checkKeyUsage(p.KeyUsage)
    checkType(p.Type)
    const key = await ctx.store.exclusive(async () => {
      assertApi(!ctx.store.findByAlias(alias), 'InvalidParameterValue.AliasAlreadyExists', 'The alias is in use.')
      return ctx.store.save(createKeyRecord({ alias, description, now: ctx.now }))
    })
    ctx.noteKey(key.keyId)
    return {
      KeyId: key.keyId,
      Alias: key.alias,
      CreateTime: key.createTime,
      Description: key.description,
      KeyState: key.keyState,
      KeyUsage: key.keyUsage,
      ...(p.Tags === undefined ? {} : { TagCode: 0, TagMsg: '' }),
    }
  },
})
