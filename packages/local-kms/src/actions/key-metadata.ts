import type { KeyRecord } from '../keys/key-record.js'

/** local-kms has no account; DescribeKey reports this fixed fake UIN. */
export const localCreatorUin = 100000000001

/** The fields CreateKey answers with; `KeyMetadata` starts with the same ones. */
export function keyBasicsOf(key: KeyRecord): Record<string, unknown> {
  return {
    KeyId: key.keyId,
    Alias: key.alias,
    CreateTime: key.createTime,
    Description: key.description,
    KeyState: key.keyState,
    KeyUsage: key.keyUsage,
  }
}

/**
 * DescribeKey's `KeyMetadata` (field names from kms_models.d.ts, reference §7). `Type` 4 ("SM" key type in the
 * DescribeKey meaning) is our choice: the reference marks the default as unknown.
 */
export function keyMetadataOf(key: KeyRecord): Record<string, unknown> {
  return {
    ...keyBasicsOf(key),
    Type: 4,
    CreatorUin: localCreatorUin,
    CreatorUinString: String(localCreatorUin),
    KeyRotationEnabled: key.rotation.enabled,
    Owner: 'user',
    NextRotateTime: key.rotation.nextRotateTime,
    DeletionDate: key.deletionDate,
    Origin: 'TENCENT_KMS',
    ValidTo: 0,
    ResourceId: `creatorUin/${localCreatorUin}/${key.keyId}`,
    HsmClusterId: '',
    RotateDays: key.rotation.rotateDays,
    LastRotateTime: key.rotation.lastRotateTime,
    IsSyncReplica: false,
  }
}
