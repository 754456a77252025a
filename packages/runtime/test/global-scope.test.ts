import { describe, expect, it, vi } from 'vitest'

// workerd (Cloudflare Workers) refuses I/O while modules are evaluated with this error from its fetch.
vi.mock('../src/kms/http-post.js', () => ({
  onNode: false,
  post: async () => {
    throw new Error(
      'Disallowed operation called within global scope. Asynchronous I/O (ex: fetch() or connect()), setting a ' +
        'timeout, and generating random values are not allowed within global scope.',
    )
  },
}))

const { createTencentDecrypt } = await import('../src/kms/tencent-decrypt.js')
const { isRetryable } = await import('../src/kms/kms-error.js')

describe('a host that forbids I/O at global scope', () => {
  it('fails at once with ERR_KMS_CONFIG saying to open secrets on the first request (no retry can help)', async () => {
    const kms = createTencentDecrypt({
      region: 'ap-guangzhou',
      endpoint: 'http://127.0.0.1:9/',
      credentials: { get: async () => ({ secretId: 'AKIDtest', secretKey: 'test-key' }) },
      env: {},
    })
    const error = (await kms.decrypt({ ciphertextBlob: 'blob' }).catch((e: unknown) => e)) as Error & {
      code?: string
      hint?: string
    }
    expect(error.code).toBe('ERR_KMS_CONFIG')
    expect(isRetryable(error)).toBe(false)
    expect(error.message).toContain('global scope')
    expect(error.hint).toContain('first request')
  })
})
