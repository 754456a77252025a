import { asymmetricKeyUsages } from '../keys/key-pair.js'
import type { KeyRecord } from '../keys/key-record.js'
import { assertApi } from '../server/api-error.js'
import { defineAction, memberAccountField } from './define.js'
import { checkListPage, listPageFields, visibleKeys } from './key-listing.js'
import { keyMetadataOf } from './key-metadata.js'
import { checkRange, refuseUnsupported } from './values.js'

/** ListKeyDetail's KeyState filter: 0 all, 1 Enabled, 2 Disabled, 3 PendingDelete, 4 PendingImport, 5 Archived. */
const keyStateFilter = [undefined, 'Enabled', 'Disabled', 'PendingDelete', 'PendingImport', 'Archived'] as const
/** Filter values Tencent documents for KeyUsage (SDK models); empty means ENCRYPT_DECRYPT. */
const usageFilters = new Set<string>([
  'ALL',
  'ENCRYPT_DECRYPT',
  ...asymmetricKeyUsages,
  'ASYMMETRIC_SIGN_VERIFY_SM2',
  'ASYMMETRIC_SIGN_VERIFY_RSA_2048',
  'ASYMMETRIC_SIGN_VERIFY_ECC',
])

function checkUsageFilter(value: string | undefined): string {
  const usage = value === undefined || value === '' ? 'ENCRYPT_DECRYPT' : value
  assertApi(usageFilters.has(usage), 'InvalidParameterValue', 'KeyUsage is not a known KeyUsage filter.')
  return usage
}

function checkOrigin(value: string | undefined): string {
  const origin = value === undefined || value === '' ? 'ALL' : value
  assertApi(['ALL', 'TENCENT_KMS', 'EXTERNAL'].includes(origin), 'InvalidParameterValue', 'Origin is not valid.')
  return origin
}

/**
 * ListKeyDetail: the KeyMetadata of user-created keys the caller may use, filtered as Tencent documents it (KeyUsage
 * defaults to ENCRYPT_DECRYPT, so asymmetric keys show only with KeyUsage ALL or their own usage), newest first
 * unless OrderType is 1. Every local-kms key is TENCENT_KMS-made; no key is PendingImport or Archived.
 */
export const ListKeyDetail = defineAction({
  name: 'ListKeyDetail',
  fields: {
    ...listPageFields,
    OrderType: { type: 'integer' },
    KeyState: { type: 'integer' },
    SearchKeyAlias: { type: 'string' },
    Origin: { type: 'string' },
    KeyUsage: { type: 'string' },
    TagFilters: { type: 'array' },
    HsmClusterId: { type: 'string' },
    MemberAccounts: { type: 'array' },
    ...memberAccountField,
  },
  async handle(p, ctx) {
    const { offset, limit, role } = checkListPage(p)
    const order = checkRange(p.OrderType ?? 0, 0, 1, 'InvalidParameterValue', 'OrderType')
    const state = keyStateFilter[checkRange(p.KeyState ?? 0, 0, 5, 'InvalidParameterValue', 'KeyState')]
    const usage = checkUsageFilter(p.KeyUsage)
    const origin = checkOrigin(p.Origin)
    refuseUnsupported(p.TagFilters?.length, 'TagFilters')
    const search = p.SearchKeyAlias ?? ''
    const matches = (k: KeyRecord): boolean =>
      (state === undefined || k.keyState === state) &&
      (usage === 'ALL' || k.keyUsage === usage) &&
      (search === '' || k.keyId.includes(search) || k.alias.includes(search))
    const visible = role === 0 && origin !== 'EXTERNAL' ? await visibleKeys(ctx, matches) : []
    if (order === 0) visible.reverse()
    return { TotalCount: visible.length, KeyMetadatas: visible.slice(offset, offset + limit).map(keyMetadataOf) }
  },
})
