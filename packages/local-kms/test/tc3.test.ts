import { describe, expect, it } from 'vitest'
import {
  buildCanonicalRequest,
  canonicalHeaderValue,
  computeTc3Signature,
  parseTc3Authorization,
  sha256Hex,
  utcDateOf,
} from '../src/auth/tc3.js'
import { verifyRequest } from '../src/auth/verify-request.js'

// Vectors from shared/reference/tencent-kms.md §4.
const v1 = {
  method: 'GET',
  query: 'Limit=10&Offset=0',
  headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'cvm.tencentcloudapi.com' },
  signedHeaders: ['content-type', 'host'],
  body: new Uint8Array(),
  timestamp: '1539084154',
  date: '2018-10-09',
  service: 'cvm',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
}

const v2Body = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
const v2 = {
  method: 'POST',
  query: '',
  headers: {
    'content-type': 'application/json; charset=utf-8',
    host: 'cvm.tencentcloudapi.com',
    'x-tc-action': 'DescribeInstances',
  },
  signedHeaders: ['content-type', 'host', 'x-tc-action'],
  body: Buffer.from(v2Body),
  timestamp: '1551113065',
  date: '2019-02-25',
  service: 'cvm',
}

const v3Body = Buffer.from('{"KeyId":"23e80852-1e38-11e9-b129-5cb9019b4b01","Plaintext":"dGVzdAo="}')
const v3 = {
  method: 'POST',
  query: '',
  headers: { 'content-type': 'application/json', host: 'kms.tencentcloudapi.com' },
  signedHeaders: ['content-type', 'host'],
  body: v3Body,
  timestamp: '1551113065',
  date: '2019-02-25',
  service: 'kms',
  secretKey: 'test-secret-key',
}

describe('TC3 signature vectors', () => {
  it('V1 (Tencent doc, GET): canonical request hash and signature', () => {
    expect(sha256Hex(buildCanonicalRequest(v1))).toBe(
      '91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7',
    )
    expect(computeTc3Signature(v1)).toBe('5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474')
  })

  it('V2 (Tencent doc, POST + x-tc-action, masked keys)', () => {
    expect(sha256Hex(v2.body)).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064')
    expect(sha256Hex(buildCanonicalRequest(v2))).toBe(
      '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
    )
    expect(computeTc3Signature({ ...v2, secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******' })).toBe(
      'be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3',
    )
    expect(computeTc3Signature({ ...v2, secretKey: '*'.repeat(32) })).toBe(
      '10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
    )
  })

  it('V3 (KMS-shaped, service kms)', () => {
    expect(sha256Hex(v3.body)).toBe('eeb5db0ca0ca12cafe73d1f0913a903046441c2da184749dfa5bfdf4dda53c0a')
    expect(sha256Hex(buildCanonicalRequest(v3))).toBe(
      'ba69e2865f50da17584d8c5620e1d35937d05e39394e00a17deeac8b7971eb34',
    )
    expect(computeTc3Signature(v3)).toBe('d5f1508854d28f9c414c8ff366e3ff8b59eaa95012854a05fe5969c744d5c7c2')
  })

  it('V3 against 127.0.0.1:4599 (service 127, port dropped from the signed host)', () => {
    const local = { ...v3, headers: { ...v3.headers, host: '127.0.0.1:4599' }, service: '127' }
    expect(sha256Hex(buildCanonicalRequest(local))).toBe(
      '7cd5b8de5ff8e446d603e864e7edc069924a42daf85051533bf8c2713657573c',
    )
    expect(computeTc3Signature(local)).toBe('a1464d3aebf5adac9a8492e7bcdd725349ebaf203dbb4335bfc0d292c75b6a65')
  })

  it("the SDK's own unit-test vector", () => {
    const input = {
      method: 'POST',
      query: '',
      headers: { 'content-type': 'application/json', host: 'cvm.tencentcloudapi.com' },
      signedHeaders: ['content-type', 'host'],
      body: Buffer.from(JSON.stringify({ Action: 'DescribeInstances', Version: '2017-03-12' })),
      timestamp: '1640995200',
      date: utcDateOf(1640995200),
      service: 'cvm',
      secretKey: 'test-secret-key',
    }
    expect(computeTc3Signature(input)).toBe('96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3')
  })
})

describe('TC3 parsing helpers', () => {
  it('parses the SDK Authorization header, including services with ":" and digits', () => {
    const header = `TC3-HMAC-SHA256 Credential=AKIDX/2019-02-25/localhost:4599/tc3_request, SignedHeaders=content-type;host, Signature=${'a'.repeat(64)}`
    expect(parseTc3Authorization(header)).toEqual({
      secretId: 'AKIDX',
      date: '2019-02-25',
      service: 'localhost:4599',
      signedHeaders: ['content-type', 'host'],
      signature: 'a'.repeat(64),
    })
  })

  it.each([
    undefined,
    '',
    'Bearer abc',
    'TC3-HMAC-SHA256 Credential=AKIDX/2019-02-25/kms/tc3_request, SignedHeaders=content-type;host, Signature=zz',
    'TC3-HMAC-SHA256 Credential=AKIDX/20190225/kms/tc3_request, SignedHeaders=content-type;host, Signature=' +
      'a'.repeat(64),
    `TC3-HMAC-SHA256 Credential=AKIDX/2019-02-25/kms/other, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
    `TC3-HMAC-SHA256 Credential=AKIDX/2019-02-25/kms/tc3_request, SignedHeaders=Host, Signature=${'a'.repeat(64)}`,
  ])('rejects malformed header %#', (header) => {
    expect(parseTc3Authorization(header)).toBeUndefined()
  })

  it('strips the port from host only', () => {
    expect(canonicalHeaderValue('host', 'KMS.tencentcloudapi.com:4599')).toBe('kms.tencentcloudapi.com')
    expect(canonicalHeaderValue('host', '[::1]:4599')).toBe('[::1]')
    expect(canonicalHeaderValue('content-type', ' Application/JSON ')).toBe('application/json')
  })
})

describe('verifyRequest', () => {
  const identity = { secretId: 'AKIDEXAMPLE', secretKey: 'test-secret-key', allow: ['*'], keys: ['*'] }
  const authorization = `TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/kms/tc3_request, SignedHeaders=content-type;host, Signature=d5f1508854d28f9c414c8ff366e3ff8b59eaa95012854a05fe5969c744d5c7c2`
  const request = (headers: Record<string, string | undefined> = {}) => ({
    method: 'POST',
    query: '',
    body: v3Body,
    headers: {
      'content-type': 'application/json',
      host: 'kms.tencentcloudapi.com:4599',
      'x-tc-timestamp': '1551113065',
      authorization,
      ...headers,
    },
  })
  const opts = (nowSeconds = 1551113065) => ({
    nowSeconds,
    maxSkewSeconds: 300,
    findIdentity: (id: string) => (id === identity.secretId ? identity : undefined),
  })
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn()
    } catch (error) {
      return (error as { code: string }).code
    }
    return undefined
  }

  it('accepts V3 with the port in Host and within ±300 s', () => {
    expect(verifyRequest(request(), opts())).toBe(identity)
    expect(verifyRequest(request(), opts(1551113065 + 300))).toBe(identity)
    expect(verifyRequest(request(), opts(1551113065 - 300))).toBe(identity)
  })

  it('maps each failure to its AuthFailure code', () => {
    expect(codeOf(() => verifyRequest(request(), opts(1551113065 + 301)))).toBe('AuthFailure.SignatureExpire')
    expect(codeOf(() => verifyRequest(request({ authorization: 'x' }), opts()))).toBe(
      'AuthFailure.InvalidAuthorization',
    )
    expect(codeOf(() => verifyRequest(request({ 'x-tc-timestamp': 'now' }), opts()))).toBe(
      'AuthFailure.InvalidAuthorization',
    )
    expect(
      codeOf(() =>
        verifyRequest(request({ authorization: authorization.replace('AKIDEXAMPLE', 'AKIDOTHER') }), opts()),
      ),
    ).toBe('AuthFailure.SecretIdNotFound')
    expect(codeOf(() => verifyRequest({ ...request(), body: Buffer.from('{}') }, opts()))).toBe(
      'AuthFailure.SignatureFailure',
    )
    expect(codeOf(() => verifyRequest(request({ 'x-tc-token': 'tok' }), opts()))).toBe('AuthFailure.TokenFailure')
  })

  it('rejects a service the endpoint cannot have signed', () => {
    const auth = authorization.replace('/kms/', '/cvm/')
    expect(codeOf(() => verifyRequest(request({ authorization: auth }), opts()))).toBe('AuthFailure.SignatureFailure')
  })
})
