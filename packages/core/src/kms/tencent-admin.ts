import { createTencentTransport, type TencentProviderOptions } from './tencent-transport.js'
import type { CallOptions } from './types.js'

/** KeyMetadata of DescribeKey/CreateKey (https://cloud.tencent.com/document/api/573/34431), camelCased. */
export interface KmsKeyMetadata {
  keyId: string
  alias?: string
  description?: string
  keyState?: string
  keyUsage?: string
  createTime?: number
  keyRotationEnabled?: boolean
  nextRotateTime?: number
  deletionDate?: number
  origin?: string
}

export interface TencentAdmin {
  readonly region: string
  createKey(req: { alias: string; description?: string; keyUsage?: string }, o?: CallOptions): Promise<KmsKeyMetadata>
  describeKey(keyId: string, o?: CallOptions): Promise<KmsKeyMetadata>
  listKeys(
    req?: { offset?: number; limit?: number },
    o?: CallOptions,
  ): Promise<{ keyIds: string[]; totalCount: number }>
  enableKey(keyId: string, o?: CallOptions): Promise<void>
  disableKey(keyId: string, o?: CallOptions): Promise<void>
  enableKeyRotation(keyId: string, rotateDays?: number, o?: CallOptions): Promise<void>
  disableKeyRotation(keyId: string, o?: CallOptions): Promise<void>
  getKeyRotationStatus(keyId: string, o?: CallOptions): Promise<boolean>
  rotateKey(keyId: string, o?: CallOptions): Promise<void>
  scheduleKeyDeletion(keyId: string, pendingWindowInDays: number, o?: CallOptions): Promise<{ deletionDate: number }>
  cancelKeyDeletion(keyId: string, o?: CallOptions): Promise<void>
  updateAlias(keyId: string, alias: string, o?: CallOptions): Promise<void>
  /** Any other KMS action, Tencent-shaped params and response. */
  request(action: string, params: Record<string, unknown>, o?: CallOptions): Promise<Record<string, unknown>>
}

type Raw = Record<string, unknown>

function toMetadata(m: Raw | undefined): KmsKeyMetadata {
  const r = m ?? {}
  const pick = <T>(k: string, type: string): T | undefined => (typeof r[k] === type ? (r[k] as T) : undefined)
  const out: KmsKeyMetadata = { keyId: pick<string>('KeyId', 'string') ?? '' }
  const fields: [keyof KmsKeyMetadata, string, string][] = [
    ['alias', 'Alias', 'string'],
    ['description', 'Description', 'string'],
    ['keyState', 'KeyState', 'string'],
    ['keyUsage', 'KeyUsage', 'string'],
    ['createTime', 'CreateTime', 'number'],
    ['keyRotationEnabled', 'KeyRotationEnabled', 'boolean'],
    ['nextRotateTime', 'NextRotateTime', 'number'],
    ['deletionDate', 'DeletionDate', 'number'],
    ['origin', 'Origin', 'string'],
  ]
  for (const [to, from, type] of fields) {
    const v = pick(from, type)
    if (v !== undefined) Object.assign(out, { [to]: v })
  }
  return out
}

/** Thin typed wrappers over the KMS key-management actions, for the CLI (`kms-secrets keys …`). */
export function tencentAdmin(options: TencentProviderOptions = {}): TencentAdmin {
  const t = createTencentTransport(options)
  const call = (action: string, params: Raw, o?: CallOptions, keyId?: string) =>
    t.call<Raw>(action, params, { ...o, keyId })
  const keyAction = async (action: string, keyId: string, o?: CallOptions, extra: Raw = {}) =>
    call(action, { KeyId: keyId, ...extra }, o, keyId)
  return {
    region: t.region,
    async createKey(req, o) {
      const params = { Alias: req.alias, Description: req.description, KeyUsage: req.keyUsage }
      return toMetadata(await call('CreateKey', params, o))
    },
    async describeKey(keyId, o) {
      return toMetadata((await keyAction('DescribeKey', keyId, o)).KeyMetadata as Raw | undefined)
    },
    async listKeys(req = {}, o) {
      const res = await call('ListKeys', { Offset: req.offset, Limit: req.limit }, o)
      const keys = Array.isArray(res.Keys) ? (res.Keys as Raw[]) : []
      return { keyIds: keys.map((k) => String(k.KeyId)), totalCount: Number(res.TotalCount ?? keys.length) }
    },
    enableKey: async (keyId, o) => void (await keyAction('EnableKey', keyId, o)),
    disableKey: async (keyId, o) => void (await keyAction('DisableKey', keyId, o)),
    enableKeyRotation: async (keyId, rotateDays, o) =>
      void (await keyAction('EnableKeyRotation', keyId, o, { RotateDays: rotateDays })),
    disableKeyRotation: async (keyId, o) => void (await keyAction('DisableKeyRotation', keyId, o)),
    getKeyRotationStatus: async (keyId, o) =>
      (await keyAction('GetKeyRotationStatus', keyId, o)).KeyRotationEnabled === true,
    rotateKey: async (keyId, o) => void (await keyAction('RotateKey', keyId, o)),
    async scheduleKeyDeletion(keyId, days, o) {
      const res = await keyAction('ScheduleKeyDeletion', keyId, o, { PendingWindowInDays: days })
      return { deletionDate: Number(res.DeletionDate ?? 0) }
    },
    cancelKeyDeletion: async (keyId, o) => void (await keyAction('CancelKeyDeletion', keyId, o)),
    updateAlias: async (keyId, alias, o) => void (await keyAction('UpdateAlias', keyId, o, { Alias: alias })),
    request: (action, params, o) => call(action, params, o),
  }
}
