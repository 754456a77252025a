import { AsymmetricRsaDecrypt } from './asymmetric-rsa-decrypt.js'
import { AsymmetricSm2Decrypt } from './asymmetric-sm2-decrypt.js'
import { CancelKeyDeletion } from './cancel-key-deletion.js'
import { CreateKey } from './create-key.js'
import { Decrypt } from './decrypt.js'
import type { Action } from './define.js'
import { DescribeKey } from './describe-key.js'
import { DisableKey } from './disable-key.js'
import { DisableKeyRotation } from './disable-key-rotation.js'
import { EnableKey } from './enable-key.js'
import { EnableKeyRotation } from './enable-key-rotation.js'
import { Encrypt } from './encrypt.js'
import { GenerateDataKey } from './generate-data-key.js'
import { GenerateRandom } from './generate-random.js'
import { GetKeyRotationStatus } from './get-key-rotation-status.js'
import { GetPublicKey } from './get-public-key.js'
import { ListKeyDetail } from './list-key-detail.js'
import { ListKeys } from './list-keys.js'
import { ReEncrypt } from './re-encrypt.js'
import { RotateKey } from './rotate-key.js'
import { ScheduleKeyDeletion } from './schedule-key-deletion.js'
import { UpdateAlias } from './update-alias.js'

/** The explicit action map: Tencent's action name → handler. Anything else is `InvalidAction`. */
export const actions = {
  AsymmetricRsaDecrypt,
  AsymmetricSm2Decrypt,
  CancelKeyDeletion,
  CreateKey,
  Decrypt,
  DescribeKey,
  DisableKey,
  DisableKeyRotation,
  EnableKey,
  EnableKeyRotation,
  Encrypt,
  GenerateDataKey,
  GenerateRandom,
  GetKeyRotationStatus,
  GetPublicKey,
  ListKeyDetail,
  ListKeys,
  ReEncrypt,
  RotateKey,
  ScheduleKeyDeletion,
  UpdateAlias,
} satisfies Record<string, Action>

export type ActionName = keyof typeof actions

export const actionNames: readonly string[] = Object.keys(actions)

export function findAction(name: string): Action | undefined {
  return Object.hasOwn(actions, name) ? actions[name as ActionName] : undefined
}
