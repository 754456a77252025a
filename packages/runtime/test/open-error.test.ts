import { describe, expect, it } from 'vitest'
import { withoutSecretFrames } from '../src/opener/open-error.js'

describe('withoutSecretFrames', () => {
  it('drops frames naming a secret file (printers would show a code frame read from it) and keeps the message', () => {
    const e = new Error('Could not open config/db.secret.json')
    e.stack = [
      'KmsSecretsError: Could not open config/db.secret.json',
      '    at decrypt (file:///app/node_modules/@kms-secrets/runtime/dist/index.mjs:1:2)',
      '    at async file:///app/config/db.secret.json:3:21',
      '    at async Object.<anonymous> (/app/certs/tls.secret.pem?import:1:1)',
      '    at async file:///app/src/server.js:2:1',
    ].join('\n')
    const stack = withoutSecretFrames(e).stack ?? ''
    expect(stack).toContain('Could not open config/db.secret.json')
    expect(stack).toContain('src/server.js:2:1')
    expect(stack).not.toMatch(/db\.secret\.json:3|tls\.secret\.pem/)
  })

  it('leaves non-errors alone', () => {
    expect(withoutSecretFrames('x')).toBe('x')
  })
})
