import { sdkEncrypt as encryptAs } from '@kms-secrets/testkit/sdk'
import { identities } from './kms.js'

/** KMS Encrypt through the official SDK as `admin`: what `tccli kms Encrypt` or the console would produce. */
export function sdkEncrypt(endpoint: string, keyId: string, plaintext: string, encryptionContext?: string) {
  return encryptAs(endpoint, identities.admin, keyId, plaintext, encryptionContext)
}
