import { readFileSync } from 'node:fs'
import { isKmsSecretsError } from '@kms-secrets/core/errors'
import { describe, expect, it } from 'vitest'
import {
  assertAllowedVars,
  credentialEnvVars,
  deniedEnvVars,
  deniedReason,
  inheritedEnv,
} from '../src/util/child-env.js'

function codeOf(fn: () => void): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return isKmsSecretsError(e) ? e.code : 'not a KmsSecretsError'
  }
}

describe('deniedReason', () => {
  it.each<[string, string, boolean]>([
    ['PATH', 'linux', true],
    ['NODE_OPTIONS', 'linux', true],
    ['LD_PRELOAD', 'linux', true],
    ['LD_ANYTHING_NEW', 'linux', true],
    ['DYLD_INSERT_LIBRARIES', 'darwin', true],
    ['BASH_ENV', 'linux', true],
    ['ENV', 'linux', true],
    ['PYTHONWARNINGS', 'linux', true],
    ['PERL5OPT', 'linux', true],
    ['GIT_CONFIG_COUNT', 'linux', true],
    ['GIT_SSH_COMMAND', 'linux', true],
    ['npm_config_script_shell', 'linux', true],
    ['NPM_CONFIG_SCRIPT_SHELL', 'linux', true],
    ['https_proxy', 'linux', true],
    ['TENCENTCLOUD_SECRET_KEY', 'linux', true],
    ['TENCENTCLOUD_SECRETKEY', 'linux', true],
    ['KMS_SECRETS_ENDPOINT', 'linux', true],
    ['path', 'win32', true],
    // POSIX names are case-sensitive: `env`, `home`, `path` are ordinary keys there.
    ['env', 'linux', false],
    ['path', 'linux', false],
    ['NODE_ENV', 'linux', false],
    ['DATABASE_URL', 'linux', false],
    ['GIT_TOKEN', 'linux', false],
    ['password', 'linux', false],
  ])('%s on %s → denied %s', (name, platform, denied) => {
    expect(deniedReason(name, platform) !== undefined).toBe(denied)
  })
})

describe('assertAllowedVars', () => {
  it.each<[string, string[], string[], string | undefined]>([
    ['ordinary names', ['password', 'DB_HOST', '_x1'], [], undefined],
    ['a denied name', ['NODE_OPTIONS'], [], 'ERR_CLI_UNSAFE'],
    ['a denied name allowed by --allow-var', ['NODE_OPTIONS'], ['NODE_OPTIONS'], undefined],
    ['a prefix rule needs the exact name allowed', ['LD_PRELOAD'], ['LD_LIBRARY_PATH'], 'ERR_CLI_UNSAFE'],
    ['an invalid name', ['my-key'], [], 'ERR_CLI_UNSAFE'],
    ['an invalid name cannot be allowed', ['a b'], ['a b'], 'ERR_CLI_UNSAFE'],
    ['a bash function export name', ['BASH_FUNC_ls%%'], [], 'ERR_CLI_UNSAFE'],
    ['an empty name', [''], [], 'ERR_CLI_UNSAFE'],
  ])('%s', (_label, names, allowed, code) => {
    expect(
      codeOf(() =>
        assertAllowedVars(
          names.map((name) => ({ name, source: 'x.secret.env' })),
          allowed,
        ),
      ),
    ).toBe(code)
  })

  it('names every refused variable and its file, and the --allow-var to pass', () => {
    try {
      assertAllowedVars(
        [
          { name: 'PATH', source: 'a.secret.json' },
          { name: 'LD_PRELOAD', source: 'b.secret.env' },
        ],
        [],
      )
      expect.unreachable()
    } catch (e) {
      if (!isKmsSecretsError(e)) throw e
      expect(e.message).toMatch(/PATH \(in a\.secret\.json/)
      expect(e.message).toMatch(/LD_PRELOAD \(in b\.secret\.env/)
      expect(e.hint).toContain('--allow-var PATH --allow-var LD_PRELOAD')
    }
  })
})

describe('inheritedEnv', () => {
  const env = Object.fromEntries([
    ...credentialEnvVars.map((n) => [n, 'secret']),
    ['HOME', '/h'],
    ['TENCENTCLOUD_REGION', 'ap-x'],
  ])
  it('drops every credential variable, keeps the rest', () => {
    expect(inheritedEnv(env, false, 'linux')).toEqual({ HOME: '/h', TENCENTCLOUD_REGION: 'ap-x' })
  })
  it('keeps them with keepCredentials', () => {
    expect(inheritedEnv(env, true, 'linux')).toEqual(env)
  })
  it('ignores case on Windows only', () => {
    expect(inheritedEnv({ tencentcloud_secret_key: 's' }, false, 'win32')).toEqual({})
    expect(inheritedEnv({ tencentcloud_secret_key: 's' }, false, 'linux')).toEqual({ tencentcloud_secret_key: 's' })
  })
})

describe('the README documents the list', () => {
  it('lists every denied pattern and every stripped credential variable', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const g of deniedEnvVars) for (const n of g.names) expect(readme).toContain(`\`${n}\``)
    for (const n of credentialEnvVars) expect(readme).toContain(`\`${n}\``)
  })
})
