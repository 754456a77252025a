import {
  type Credential,
  createSdkClient as createClient,
  type SdkClient,
  type SdkClientOptions,
} from '@kms-secrets/testkit/sdk'
import { admin } from './server.js'

export type { Credential, Json, SdkClient, SdkError } from '@kms-secrets/testkit/sdk'

/** The testkit's SDK client (official transport, service `kms`) dialling local-kms on `port`, as `admin` by default. */
export function createSdkClient(
  port: number,
  credential: Credential = admin,
  options: SdkClientOptions = {},
): SdkClient {
  return createClient(`http://127.0.0.1:${port}`, credential, options)
}

export function b64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64')
}

export function unb64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8')
}

let aliasCounter = 0

/** Creates a key with a unique alias; returns its KeyId and alias. */
export async function createKey(sdk: SdkClient, prefix = 'k'): Promise<{ keyId: string; alias: string }> {
  aliasCounter += 1
  const alias = `${prefix}-${process.pid}-${aliasCounter}`
  const res = await sdk.call('CreateKey', { Alias: alias })
  return { keyId: res.KeyId as string, alias }
}
