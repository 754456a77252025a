import { Buffer } from 'node:buffer'
import { KmsSecretsError } from '../errors.js'
import { toBase64 } from '../util/base64.js'
import { createTencentTransport, type TencentProviderOptions } from './tencent-transport.js'
import type { KmsProvider } from './types.js'

function base64Field(res: Record<string, unknown>, field: string, action: string): Uint8Array {
  const v = res[field]
  if (typeof v !== 'string') throw badResponse(action, field)
  const buf = Buffer.from(v, 'base64')
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

function stringField(res: Record<string, unknown>, field: string, action: string): string {
  const v = res[field]
  if (typeof v !== 'string' || v === '') throw badResponse(action, field)
  return v
}

function badResponse(action: string, field: string): KmsSecretsError {
  return new KmsSecretsError('ERR_KMS_REQUEST', `KMS ${action} answered without a valid "${field}".`, {
    hint: 'Check that the endpoint is Tencent KMS or local-kms (KMS_SECRETS_ENDPOINT).',
  })
}

function ctx(encryptionContext: string | undefined): { EncryptionContext?: string } {
  return encryptionContext === undefined ? {} : { EncryptionContext: encryptionContext }
}

/**
 * Tencent Cloud KMS provider on `tencentcloud-sdk-nodejs-common` (CommonClient, API 2019-01-18), credentials from the
 * options or the SDK's DefaultCredentialProvider chain. See `TencentProviderOptions` for region/endpoint resolution.
 */
export function createTencentProvider(options: TencentProviderOptions = {}): KmsProvider {
  const t = createTencentTransport(options)
  const decryptResult = (res: Record<string, unknown>, action: string) => ({
    keyId: typeof res.KeyId === 'string' ? res.KeyId : '',
    plaintext: base64Field(res, 'Plaintext', action),
    ...(res.RequestId ? { requestId: res.RequestId as string } : {}),
  })
  return {
    name: 'tencent',
    region: t.region,
    async generateDataKey(req, opts) {
      const params = { KeyId: req.keyId, KeySpec: 'AES_256', ...ctx(req.encryptionContext) }
      const res = await t.call('GenerateDataKey', params, { ...opts, keyId: req.keyId })
      const plaintext = base64Field(res, 'Plaintext', 'GenerateDataKey')
      return {
        keyId: typeof res.KeyId === 'string' && res.KeyId ? res.KeyId : req.keyId,
        plaintext,
        ciphertextBlob: stringField(res, 'CiphertextBlob', 'GenerateDataKey'),
        ...(res.RequestId ? { requestId: res.RequestId } : {}),
      }
    },
    async decrypt(req, opts) {
      const params = { CiphertextBlob: req.ciphertextBlob, ...ctx(req.encryptionContext) }
      const res = await t.call('Decrypt', params, opts)
      return {
        keyId: typeof res.KeyId === 'string' ? res.KeyId : '',
        plaintext: base64Field(res, 'Plaintext', 'Decrypt'),
        ...(res.RequestId ? { requestId: res.RequestId } : {}),
      }
    },
    async encrypt(req, opts) {
      const plaintext = toBase64(req.plaintext)
      const params = { KeyId: req.keyId, Plaintext: plaintext, ...ctx(req.encryptionContext) }
      const res = await t.call('Encrypt', params, { ...opts, keyId: req.keyId, secrets: [plaintext] })
      return {
        keyId: typeof res.KeyId === 'string' && res.KeyId ? res.KeyId : req.keyId,
        ciphertextBlob: stringField(res, 'CiphertextBlob', 'Encrypt'),
        ...(res.RequestId ? { requestId: res.RequestId } : {}),
      }
    },
    async reEncrypt(req, opts) {
      const params = {
        CiphertextBlob: req.ciphertextBlob,
        ...(req.destinationKeyId ? { DestinationKeyId: req.destinationKeyId } : {}),
        ...(req.sourceEncryptionContext === undefined ? {} : { SourceEncryptionContext: req.sourceEncryptionContext }),
        ...(req.destinationEncryptionContext === undefined
          ? {}
          : { DestinationEncryptionContext: req.destinationEncryptionContext }),
      }
      const res = await t.call('ReEncrypt', params, { ...opts, keyId: req.destinationKeyId })
      return {
        ciphertextBlob: stringField(res, 'CiphertextBlob', 'ReEncrypt'),
        keyId: typeof res.KeyId === 'string' ? res.KeyId : '',
        sourceKeyId: typeof res.SourceKeyId === 'string' ? res.SourceKeyId : '',
        reEncrypted: res.ReEncrypted === true,
        ...(res.RequestId ? { requestId: res.RequestId } : {}),
      }
    },
    async describeKey(keyId, opts) {
      const res = await t.call('DescribeKey', { KeyId: keyId }, { ...opts, keyId })
      const m = (res.KeyMetadata ?? {}) as Record<string, unknown>
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
      const keyUsage = str(m.KeyUsage)
      const keyState = str(m.KeyState)
      return { keyId: str(m.KeyId) || keyId, ...(keyUsage ? { keyUsage } : {}), ...(keyState ? { keyState } : {}) }
    },
    async getPublicKey(req, opts) {
      const res = await t.call('GetPublicKey', { KeyId: req.keyId }, { ...opts, keyId: req.keyId })
      return {
        keyId: stringField(res, 'KeyId', 'GetPublicKey'),
        publicKey: base64Field(res, 'PublicKey', 'GetPublicKey'),
        ...(res.RequestId ? { requestId: res.RequestId } : {}),
      }
    },
    async asymmetricRsaDecrypt(req, opts) {
      const params = { KeyId: req.keyId, Ciphertext: req.ciphertext, Algorithm: req.algorithm }
      const res = await t.call('AsymmetricRsaDecrypt', params, { ...opts, keyId: req.keyId })
      return decryptResult(res, 'AsymmetricRsaDecrypt')
    },
    async asymmetricSm2Decrypt(req, opts) {
      const params = { KeyId: req.keyId, Ciphertext: req.ciphertext }
      const res = await t.call('AsymmetricSm2Decrypt', params, { ...opts, keyId: req.keyId })
      return decryptResult(res, 'AsymmetricSm2Decrypt')
    },
  }
}

export type { TencentCredential, TencentProviderOptions } from './tencent-transport.js'
