import { createServer } from 'node:net'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { isNoProxyHost } from '../src/kms/proxy.js'
import { resolveProxy } from '../src/kms/proxy-tunnel.js'
import { sealOne } from './support/seal.js'
import { useTencentServer } from './support/tencent-server.js'

async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('proxy settings', () => {
  const t = useTencentServer(async () => {
    const proxy = `http://127.0.0.1:${await deadPort()}`
    return { http_proxy: proxy, HTTP_PROXY: proxy, https_proxy: proxy, HTTPS_PROXY: proxy }
  })

  it('a loopback KMS endpoint is reached directly although http_proxy points to a dead port', async () => {
    const [env, value] = await sealOne(t.kms, 'json')
    const opener = createSecretOpener({ endpoint: t.server.endpoint, retry: { maxAttempts: 1 }, timeoutMs: 5000 })
    await expect(opener.open(env, { file: 'db.secret.json' })).resolves.toEqual(value)
    expect(t.server.requests.at(-1)).toMatchObject({ action: 'Decrypt', service: 'kms' })
  })

  it('control: the bare SDK would send the same loopback call through the dead proxy and fail', async () => {
    const client = new CommonClient(t.server.endpoint.replace('http://', ''), '2019-01-18', {
      credential: { secretId: 'AKIDtest', secretKey: 'test-secret-key' },
      region: 'ap-guangzhou',
      profile: { httpProfile: { protocol: 'http://', reqTimeout: 5 } },
    })
    const before = t.server.requests.length
    await expect(client.request('Decrypt', { CiphertextBlob: 'x' })).rejects.toThrow(/ECONNREFUSED/)
    expect(t.server.requests.length).toBe(before)
  })

  it('KMS_SECRETS_ENDPOINT from the environment is honoured by the default configuration', async () => {
    process.env.KMS_SECRETS_ENDPOINT = t.server.endpoint
    const [env, value] = await sealOne(t.kms, 'yaml')
    await expect(
      createSecretOpener({ retry: { maxAttempts: 1 } }).open(env, { file: 'app.secret.yaml' }),
    ).resolves.toEqual(value)
  })
})

describe('resolveProxy', () => {
  const cloud = new URL('https://kms.tencentcloudapi.com/')
  const proxy = 'http://u:p%40ss@proxy.corp:3128'

  it.each([
    'https://127.0.0.1:4599/',
    'https://127.8.9.10/',
    'https://[::1]:4599/',
    'https://localhost/',
    'http://127.0.0.1:4599/',
  ])('never proxies a loopback endpoint (%s)', (url) => {
    expect(resolveProxy(new URL(url), { HTTPS_PROXY: proxy, http_proxy: proxy })).toBeUndefined()
  })

  it('reads https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY in that order; auth from the userinfo', () => {
    expect(resolveProxy(cloud, {})).toBeUndefined()
    expect(resolveProxy(cloud, { HTTP_PROXY: 'proxy.corp:8080' })).toEqual({
      host: 'proxy.corp',
      port: 8080,
      auth: undefined,
      from: 'HTTP_PROXY',
    })
    expect(resolveProxy(cloud, { http_proxy: proxy, HTTPS_PROXY: 'http://[fd00::1]' })).toMatchObject({
      host: 'fd00::1',
      port: 80,
      from: 'HTTPS_PROXY',
    })
    expect(resolveProxy(cloud, { https_proxy: proxy, HTTPS_PROXY: 'http://other:1' })).toEqual({
      host: 'proxy.corp',
      port: 3128,
      auth: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
      from: 'https_proxy',
    })
  })

  it.each([
    ['*', true],
    ['kms.tencentcloudapi.com', true],
    ['.tencentcloudapi.com', true],
    ['*.tencentcloudapi.com', true],
    ['tencentcloudapi.com', true],
    ['example.com, tencentcloudapi.com:443', true],
    ['tencentcloudapi.com:8443', false],
    ['cloudapi.com.cn', false],
    ['apitencentcloudapi.com', false],
    ['', false],
  ])('NO_PROXY=%j skips the proxy: %s', (noProxy, skipped) => {
    expect(isNoProxyHost(noProxy, 'kms.tencentcloudapi.com', '443')).toBe(skipped)
    expect(resolveProxy(cloud, { HTTPS_PROXY: proxy, no_proxy: noProxy }) === undefined).toBe(skipped)
  })

  it('NO_PROXY matches IPv6 hosts with and without brackets', () => {
    expect(isNoProxyHost('fd00::5', '[fd00::5]', '443')).toBe(true)
    expect(isNoProxyHost('[fd00::5]:443', '[fd00::5]', '443')).toBe(true)
  })

  it.each([
    'socks5://u:CANARY-secret@proxy:1080',
    'https://u:CANARY-secret@proxy:443',
    'http://u:CANARY-secret@[bad',
    // `%` that is not percent-encoding in the user info or password: decodeURIComponent's URIError before.
    'http://us%er:CANARY-secret@proxy:1',
    'http://user:CANARY%zz-secret@proxy:1',
  ])('/* Precondition: the proxy is an http:// URL */ %s is ERR_KMS_CONFIG naming the variable only', (value) => {
    let error: unknown
    try {
      resolveProxy(cloud, { https_proxy: value })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'ERR_KMS_CONFIG', name: 'KmsSecretsError' })
    expect(String((error as Error).message)).toContain('https_proxy')
    expect((error as { hint?: string }).hint).toContain('percent-encoded')
    expect(JSON.stringify({ ...(error as object), m: (error as Error).message })).not.toContain('CANARY')
  })
})
