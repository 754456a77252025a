import { secretExtensions } from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'
import { rememberSecretFile, secretFrameRE, withoutSecretFrames } from '../src/opener/open-error.js'

describe('secretFrameRE', () => {
  it("names exactly core's secret-file extensions (the runtime keeps its own copy of the list)", () => {
    for (const ext of secretExtensions) expect(secretFrameRE.test(`at /app/x.secret.${ext}:1:1`)).toBe(true)
    const named = secretFrameRE.source
      .match(/\(\?:(.*)\)/)?.[1]
      ?.replace('ya?ml', 'yaml|yml')
      .split('|')
    expect(new Set(named)).toEqual(new Set(secretExtensions))
  })
})

/** The stack withoutSecretFrames leaves of an error with this message and these frames. */
function strippedStack(message: string, frames: string[]): string {
  const e = new Error(message)
  e.stack = [`KmsSecretsError: ${message}`, ...frames].join('\n')
  return withoutSecretFrames(e).stack ?? ''
}

describe('withoutSecretFrames', () => {
  it('drops frames naming a secret file (printers would show a code frame read from it) and keeps the message', () => {
    const stack = strippedStack('Could not open config/db.secret.json', [
      '    at decrypt (file:///app/node_modules/@kms-secrets/runtime/dist/index.mjs:1:2)',
      '    at async file:///app/config/db.secret.json:3:21',
      '    at async Object.<anonymous> (/app/certs/tls.secret.pem?import:1:1)',
      '    at async file:///app/src/server.js:2:1',
    ])
    expect(stack).toContain('Could not open config/db.secret.json')
    expect(stack).toContain('src/server.js:2:1')
    expect(stack).not.toMatch(/db\.secret\.json:3|tls\.secret\.pem/)
  })

  it('drops frames naming a file opened before, whatever its name (custom include), as path or file URL', () => {
    rememberSecretFile('src/secrets/api.json')
    rememberSecretFile('../shared/my keys/tls.pem')
    const stack = strippedStack('Could not open src/secrets/api.json', [
      '    at async file:///app/src/secrets/api.json:3:21',
      '    at async /app/src/secrets/api.json?import:3:21',
      '    at Object.<anonymous> (/work/shared/my keys/tls.pem:2:9)',
      '    at async file:///work/shared/my%20keys/tls.pem:2:9',
      '    at async file:///app/src/secrets/api.json.ts:1:1',
      '    at async file:///app/src/server.js:2:1',
    ])
    expect(stack).toContain('Could not open src/secrets/api.json')
    expect(stack.split('\n').slice(1)).toEqual([
      '    at async file:///app/src/secrets/api.json.ts:1:1',
      '    at async file:///app/src/server.js:2:1',
    ])
  })

  it('a file name with no URI form (lone surrogate) neither breaks the filtering nor the other names', () => {
    rememberSecretFile('src/odd\uD800.json')
    rememberSecretFile('src/later/db.json')
    const stack = strippedStack('Could not open src/later/db.json', [
      '    at async file:///app/src/later/db.json:3:21',
      '    at async /app/src/odd\uD800.json:1:1',
      '    at async file:///app/src/server.js:2:1',
    ])
    expect(stack.split('\n').slice(1)).toEqual(['    at async file:///app/src/server.js:2:1'])
  })

  it('leaves non-errors alone', () => {
    expect(withoutSecretFrames('x')).toBe('x')
  })
})
