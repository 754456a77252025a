import { describe, expect, it } from 'vitest'
import { errorCodes, KmsSecretsError, messageWithoutCode } from '../src/errors.js'

describe('KmsSecretsError messages carry their code (frameworks log only err.stack)', () => {
  it.each(errorCodes)('%s is in message and stack', (code) => {
    const e = new KmsSecretsError(code, 'db.secret.json: something failed.', 'Do this.')
    expect(e.code).toBe(code)
    expect(e.message.startsWith(`[${code}] `)).toBe(true)
    expect(e.stack).toContain(`[${code}]`)
    expect(messageWithoutCode(e)).toBe('db.secret.json: something failed.')
  })

  it('a re-wrapped message names the code once', () => {
    const inner = new KmsSecretsError('ERR_KMS_DECRYPT', 'KMS refused.')
    const outer = new KmsSecretsError('ERR_KMS_DECRYPT', `Could not open db.secret.json: ${inner.message}`)
    expect(outer.message.split('ERR_KMS_DECRYPT')).toHaveLength(2)
    expect(new KmsSecretsError(inner.code, inner.message).message).toBe(inner.message)
  })
})
