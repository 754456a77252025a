import http from 'node:http'
import { createRequire } from 'node:module'
import net from 'node:net'
import { identities } from './kms.js'

// The official SDK transport, taken from core's dependencies (the CLI itself does not depend on it).
const require = createRequire(new URL('../../../core/package.json', import.meta.url))
const { CommonClient } = require('tencentcloud-sdk-nodejs-common') as {
  CommonClient: new (
    endpoint: string,
    version: string,
    config: Record<string, unknown>,
  ) => { request(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> }
}

/** A CommonClient signing exactly as for the cloud (service `kms`), its connections dialled to local-kms. */
export function sdkClient(endpoint: string, as: keyof typeof identities = 'admin') {
  const port = Number(new URL(endpoint).port)
  const agent = new http.Agent({ keepAlive: false })
  Object.assign(agent, { createConnection: () => net.connect(port, '127.0.0.1') })
  const { secretId, secretKey } = identities[as]
  return new CommonClient('kms.tencentcloudapi.com', '2019-01-18', {
    credential: { secretId, secretKey },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint: `kms.tencentcloudapi.com:${port}`, agent } },
  })
}

/** KMS Encrypt through the SDK: what `tccli kms Encrypt` or the console's online tool would produce. */
export async function sdkEncrypt(
  endpoint: string,
  keyId: string,
  plaintext: string,
  encryptionContext?: string,
): Promise<string> {
  const res = await sdkClient(endpoint).request('Encrypt', {
    KeyId: keyId,
    Plaintext: Buffer.from(plaintext, 'utf8').toString('base64'),
    ...(encryptionContext === undefined ? {} : { EncryptionContext: encryptionContext }),
  })
  return String(res.CiphertextBlob)
}
