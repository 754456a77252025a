import { isAsymmetricUsage } from '../keys/key-pair.js'
import { createKeyRecord, type KeyUsage } from '../keys/key-record.js'
import { ApiError, assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { keyBasicsOf } from './key-metadata.js'
import { checkAlias, checkDescription } from './values.js'

/** Usages Tencent documents for CreateKey that local-kms does not implement (signing keys). */
const signingUsages = new Set([
  'ASYMMETRIC_SIGN_VERIFY_SM2',
  'ASYMMETRIC_SIGN_VERIFY_ECC',
  'ASYMMETRIC_SIGN_VERIFY_RSA_2048',
  'ASYMMETRIC_SIGN_VERIFY_ECDSA384',
])

function checkKeyUsage(usage: string | undefined): KeyUsage {
  if (usage === undefined || usage === '' || usage === 'ENCRYPT_DECRYPT') return 'ENCRYPT_DECRYPT'
  if (isAsymmetricUsage(usage)) return usage
  if (signingUsages.has(usage)) {
    throw new ApiError(
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
      'local-kms supports KeyUsage ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT_RSA_2048 and ASYMMETRIC_DECRYPT_SM2 only.',
    )
  }
  throw new ApiError('InvalidParameterValue.InvalidKeyUsage', 'KeyUsage is not a known key usage.')
}

function checkType(type: number | undefined): void {
  if (type === undefined || type === 1) return
  if (type === 2) throw new ApiError('UnsupportedOperation', 'local-kms does not support EXTERNAL keys (Type 2).')
  throw new ApiError('InvalidParameterValue.InvalidType', 'Type must be 1 (KMS-generated) or 2 (EXTERNAL).')
}

/** CreateKey: a new Enabled key with a unique alias: AES-256 (ENCRYPT_DECRYPT), an RSA-2048 or an SM2 key pair. */
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
    const keyUsage = checkKeyUsage(p.KeyUsage)
    checkType(p.Type)
    const record = createKeyRecord({ alias, description, keyUsage, now: ctx.now })
    const key = await ctx.store.exclusive(async () => {
      assertApi(!ctx.store.findByAlias(alias), 'InvalidParameterValue.AliasAlreadyExists', 'The alias is in use.')
      return ctx.store.save(record)
    })
    ctx.noteKey(key.keyId)
    return {
      ...keyBasicsOf(key),
      ...(p.Tags === undefined ? {} : { TagCode: 0, TagMsg: '' }),
    }
  },
})
