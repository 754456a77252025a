import { createServer } from 'node:net'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { createFakeKms, type FakeKms } from './support/fake-kms.js'
import { sealOne } from './support/seal.js'
import { startTencentServer, type TencentServer } from './support/tencent-server.js'

async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('proxy settings', () => {
  let kms: FakeKms
  let server: TencentServer
  const saved = { ...process.env }
  beforeAll(async () => {
    kms = createFakeKms()
    server = await startTencentServer(kms)
    const proxy = `http://127.0.0.1:${await deadPort()}`
    Object.assign(process.env, {
      TENCENTCLOUD_SECRET_ID: 'AKIDtest',
      TENCENTCLOUD_SECRET_KEY: 'test-secret-key',
      http_proxy: proxy,
      HTTP_PROXY: proxy,
      https_proxy: proxy,
      HTTPS_PROXY: proxy,
    })
  })
  afterAll(async () => {
    process.env = saved
    await server.close()
  })

  it('a loopback KMS endpoint is reached directly although http_proxy points to a dead port', async () => {
    const [env, value] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ endpoint: server.endpoint, retry: { maxAttempts: 1 }, timeoutMs: 5000 })
    await expect(opener.open(env, { file: 'db.secret.json' })).resolves.toEqual(value)
    expect(server.requests.at(-1)).toMatchObject({ action: 'Decrypt', service: 'kms' })
  })

  it('control: the bare SDK would send the same loopback call through the dead proxy and fail', async () => {
    const client = new CommonClient(server.endpoint.replace('http://', ''), '2019-01-18', {
      credential: { secretId: 'AKIDtest', secretKey: 'test-secret-key' },
      region: 'ap-guangzhou',
      profile: { httpProfile: { protocol: 'http://', reqTimeout: 5 } },
    })
    const before = server.requests.length
    await expect(client.request('Decrypt', { CiphertextBlob: 'x' })).rejects.toThrow(/ECONNREFUSED/)
    expect(server.requests.length).toBe(before)
  })

  it('KMS_SECRETS_ENDPOINT from the environment is honoured by the default configuration', async () => {
    process.env.KMS_SECRETS_ENDPOINT = server.endpoint
    const [env, value] = await sealOne(kms, 'yaml')
    await expect(
      createSecretOpener({ retry: { maxAttempts: 1 } }).open(env, { file: 'app.secret.yaml' }),
    ).resolves.toEqual(value)
  })
})
