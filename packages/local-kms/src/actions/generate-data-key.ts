import { randomBytes } from 'node:crypto'
import { encryptWithKey } from '../keys/key-cipher.js'
import { ApiError } from '../server/api-error.js'
import { defineAction } from './define.js'
import {
  assertSymmetric,
  assertUsable,
  canonicalContext,
  checkKeyRef,
  checkRange,
  refuseUnsupported,
} from './values.js'

const keySpecBytes: Record<string, number> = { AES_128: 16, AES_256: 32 }

/** NumberOfBytes wins over KeySpec when both are given (reference §7); one of them is required. */
function dataKeyLength(keySpec: string | undefined, numberOfBytes: number | undefined): number {
  if (numberOfBytes !== undefined) return checkRange(numberOfBytes, 1, 1024, 'InvalidParameterValue', 'NumberOfBytes')
  if (keySpec === undefined)
    throw new ApiError('MissingParameter', 'GenerateDataKey requires KeySpec or NumberOfBytes.')
  const length = Object.hasOwn(keySpecBytes, keySpec) ? keySpecBytes[keySpec] : undefined
  if (length === undefined) throw new ApiError('InvalidParameterValue', 'KeySpec must be AES_128 or AES_256.')
  return length
}

/** GenerateDataKey: a random data key, returned in plaintext (base64) and encrypted under the CMK. */
export const GenerateDataKey = defineAction({
  name: 'GenerateDataKey',
  fields: {
    KeyId: { type: 'string', required: true },
    KeySpec: { type: 'string' },
    NumberOfBytes: { type: 'integer' },
    EncryptionContext: { type: 'string' },
    EncryptionPublicKey: { type: 'string' },
    EncryptionAlgorithm: { type: 'string' },
    IsHostedByKms: { type: 'integer' },
    DataKeyName: { type: 'string' },
    Description: { type: 'string' },
    HsmClusterId: { type: 'string' },
    Tags: { type: 'array' },
  },
  async handle(p, ctx) {
    const ref = checkKeyRef(p.KeyId)
    const length = dataKeyLength(p.KeySpec, p.NumberOfBytes)
    const context = canonicalContext(p.EncryptionContext)
    refuseUnsupported(p.EncryptionPublicKey, 'EncryptionPublicKey')
    refuseUnsupported(p.IsHostedByKms, 'IsHostedByKms')
    const key = await ctx.useKey(ref)
    assertSymmetric(key)
    assertUsable(key)
    const dataKey = randomBytes(length)
    try {
      const blob = encryptWithKey(key, dataKey, context)
      return { KeyId: key.keyId, Plaintext: dataKey.toString('base64'), CiphertextBlob: blob }
    } finally {
      dataKey.fill(0)
    }
  },
})
