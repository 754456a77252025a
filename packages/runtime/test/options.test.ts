import { describe, expect, it } from 'vitest'
import { defaults, resolveOptions, worstCaseMs } from '../src/opener/options.js'

describe('resolveOptions', () => {
  it('uses the documented defaults with an empty environment', () => {
    const o = resolveOptions({}, {})
    expect(o).toMatchObject({ ...defaults, region: undefined, endpoint: undefined })
    expect(worstCaseMs(o)).toBe(10 * 5000 + 9 * 5000)
  })

  it('reads KMS_SECRETS_* and TENCENTCLOUD_REGION from the environment', () => {
    const o = resolveOptions(
      {},
      {
        KMS_SECRETS_MAX_ATTEMPTS: '3',
        KMS_SECRETS_TIMEOUT_MS: '2500',
        KMS_SECRETS_RETRY_BASE_MS: '50',
        KMS_SECRETS_RETRY_MAX_MS: '800',
        KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:4599',
        TENCENTCLOUD_REGION: 'ap-shanghai',
      },
    )
    expect(o).toMatchObject({
      maxAttempts: 3,
      timeoutMs: 2500,
      baseDelayMs: 50,
      maxDelayMs: 800,
      endpoint: 'http://127.0.0.1:4599',
      region: 'ap-shanghai',
    })
  })

  it('lets explicit options win over the environment; blank env values count as unset', () => {
    const env = { KMS_SECRETS_MAX_ATTEMPTS: '3', TENCENTCLOUD_REGION: ' ', KMS_SECRETS_ENDPOINT: '' }
    const o = resolveOptions({ retry: { maxAttempts: 2 }, region: 'ap-beijing' }, env)
    expect(o).toMatchObject({ maxAttempts: 2, region: 'ap-beijing', endpoint: undefined })
  })

  it.each([
    ['KMS_SECRETS_MAX_ATTEMPTS', '0'],
    ['KMS_SECRETS_MAX_ATTEMPTS', 'many'],
    ['KMS_SECRETS_TIMEOUT_MS', '1.5'],
    ['KMS_SECRETS_RETRY_MAX_MS', '-1'],
  ])('Precondition: numeric env settings are integers in range (%s=%s)', (name, value) => {
    expect(() => resolveOptions({}, { [name]: value })).toThrow(expect.objectContaining({ code: 'ERR_KMS_CONFIG' }))
  })

  it('Precondition: the retry budget is bounded', () => {
    expect(() => resolveOptions({ retry: { maxAttempts: 0 } }, {})).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_CONFIG' }),
    )
  })
})
