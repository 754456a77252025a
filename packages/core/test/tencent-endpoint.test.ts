import net from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { isLoopbackHost, mapTencentError, resolveTencentEndpoint } from '../src/index.js'

describe('resolveTencentEndpoint', () => {
  it('defaults to https://kms.tencentcloudapi.com', () => {
    expect(resolveTencentEndpoint(undefined)).toEqual({ endpoint: 'kms.tencentcloudapi.com', protocol: 'https://' })
    expect(resolveTencentEndpoint('')).toEqual({ endpoint: 'kms.tencentcloudapi.com', protocol: 'https://' })
  })
  it.each([
    ['http://127.0.0.1:4599', 'kms.tencentcloudapi.com:4599', '127.0.0.1', 4599],
    ['http://127.8.9.10:1/', 'kms.tencentcloudapi.com:1', '127.8.9.10', 1],
    ['http://localhost:4599', 'kms.tencentcloudapi.com:4599', 'localhost', 4599],
    ['http://[::1]:4599', 'kms.tencentcloudapi.com:4599', '::1', 4599],
    ['http://127.0.0.1', 'kms.tencentcloudapi.com', '127.0.0.1', 80],
  ])('loopback %s keeps the kms host for signing and dials the loopback', (url, endpoint, host, port) => {
    const r = resolveTencentEndpoint(url)
    expect(r).toMatchObject({ endpoint, protocol: 'http://' })
    // Whatever host the request names, the agent's connection goes to the loopback host and port.
    const connect = vi.spyOn(net, 'connect').mockImplementation(() => new net.Socket())
    try {
      const socket = (r.agent as unknown as { createConnection(o: object): net.Socket }).createConnection({
        host: 'kms.tencentcloudapi.com',
      })
      socket.destroy()
      expect(connect).toHaveBeenCalledWith({ host, port })
    } finally {
      connect.mockRestore()
    }
  })
  it.each([
    ['https://kms.ap-shanghai.tencentcloudapi.com', 'kms.ap-shanghai.tencentcloudapi.com'],
    ['https://kms.internal:8443/', 'kms.internal:8443'],
  ])('https %s → endpoint %s, no agent', (url, endpoint) => {
    expect(resolveTencentEndpoint(url)).toEqual({ endpoint, protocol: 'https://' })
  })
  it.each([
    'http://10.0.0.1:4599',
    'http://kms.example.com',
    'http://128.0.0.1',
    'ws://127.0.0.1',
    '127.0.0.1:4599',
    'http://127.0.0.1/?x=1',
  ])('%s → ERR_KMS_CONFIG with a hint', (url) => {
    expect(() => resolveTencentEndpoint(url)).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_CONFIG', hint: expect.stringContaining('KMS_SECRETS_ENDPOINT') }),
    )
  })
  it('never echoes URL credentials', () => {
    try {
      resolveTencentEndpoint('http://user:hunter2@kms.example.com')
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2')
    }
  })
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.1', true],
    ['[::1]', true],
    ['::1', true],
    ['126.0.0.1', false],
    ['localhost.example.com', false],
    ['0.0.0.0', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('mapTencentError without a Tencent code', () => {
  it.each([
    [{ message: 'network timeout at: http://x/' }, {}, 'ERR_KMS_TIMEOUT'],
    [{ message: 'The user aborted a request.' }, { timedOut: true }, 'ERR_KMS_TIMEOUT'],
    [{ message: 'The user aborted a request.' }, { aborted: true }, 'ERR_KMS_REQUEST'],
    [{ message: 'request to http://x/ failed, reason: connect ECONNREFUSED 127.0.0.1:1' }, {}, 'ERR_KMS_NETWORK'],
    [{ message: 'socket hang up' }, {}, 'ERR_KMS_NETWORK'],
    [{ message: 'Bad Gateway', httpCode: 502 }, {}, 'ERR_KMS_UNAVAILABLE'],
    [{ message: 'invalid json response body', type: 'invalid-json' }, {}, 'ERR_KMS_UNAVAILABLE'],
    [new TypeError("Cannot read properties of undefined (reading 'Error')"), {}, 'ERR_KMS_UNAVAILABLE'],
    ['a string', {}, 'ERR_KMS_NETWORK'],
  ])('%j → %s', (error, info, code) => {
    expect(mapTencentError(error, { action: 'Decrypt', ...info })).toMatchObject({ code, name: 'KmsSecretsError' })
  })
  it('keeps KmsSecretsErrors as they are', () => {
    const e = mapTencentError(
      { code: 'InternalError', requestId: 'r1', message: 'x' },
      { action: 'Decrypt', keyId: 'k1' },
    )
    expect(mapTencentError(e, { action: 'Encrypt' })).toBe(e)
    expect(e).toMatchObject({ code: 'ERR_KMS_UNAVAILABLE', kmsCode: 'InternalError', requestId: 'r1', keyId: 'k1' })
    expect(e.message).toContain('Decrypt')
    expect(e.message).toContain('r1')
  })
})
