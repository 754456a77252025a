import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '../src/core/context'
import type { Options } from '../src/core/options'
import { tempProject } from './helpers/project'

const esm = { sync: false }

/** A sealed-on-disk file (the fixture: CMK key-a, context { app: 'shop' }) with some envelope fields replaced. */
function sealedFile(patch: { context?: Record<string, string>; keyId?: string } = {}): string {
  const root = tempProject(['sealed.secret.json'])
  const path = join(root, 'sealed.secret.json')
  const env = JSON.parse(readFileSync(path, 'utf8'))
  if (patch.context) env.context = patch.context
  if (patch.keyId !== undefined) env.kms.keyId = patch.keyId
  writeFileSync(path, JSON.stringify(env, null, 2))
  return path
}

async function load(path: string, options: Options, env: Record<string, string> = {}) {
  const root = join(path, '..')
  const ctx = createContext({ root, dts: false, ...options }, { env })
  return ctx.load(path, esm).then(
    () => 'ok',
    (e: { code: string; message: string; file?: string }) => e,
  )
}

describe('Precondition: a sealed file carries exactly the configured context', () => {
  it.each([
    ['same context', { app: 'shop' }, { app: 'shop' }, 'ok'],
    ['another value', { app: 'shop', env: 'prod' }, { app: 'shop', env: 'staging' }, 'ERR_ENVELOPE_CONTEXT'],
    ['a missing key', { app: 'shop', env: 'prod' }, { app: 'shop' }, 'ERR_ENVELOPE_CONTEXT'],
    ['an extra key', { app: 'shop' }, { app: 'shop', env: 'prod' }, 'ERR_ENVELOPE_CONTEXT'],
    ['empty configured, sealed with one', {}, { app: 'shop' }, 'ERR_ENVELOPE_CONTEXT'],
  ] as const)('%s', async (_name, configured, sealed, expected) => {
    const result = await load(sealedFile({ context: { ...sealed } }), { context: { ...configured } })
    if (expected === 'ok') expect(result).toBe('ok')
    else expect(result).toMatchObject({ code: expected, file: 'sealed.secret.json' })
  })

  it('names the file and the differing key, never a value', async () => {
    const path = sealedFile({ context: { app: 'shop', env: 'staging-secret-value' } })
    const error = await load(path, { context: { app: 'shop', env: 'prod-secret-value' } })
    expect(error).toMatchObject({ code: 'ERR_ENVELOPE_CONTEXT' })
    const { message } = error as unknown as Error
    expect(message).toContain('sealed.secret.json')
    expect(message).toContain('"env"')
    expect(message).not.toMatch(/staging-secret-value|prod-secret-value/)
  })

  it('accepts any context when none is configured', async () => {
    expect(await load(sealedFile({ context: { env: 'staging' } }), {})).toBe('ok')
  })
})

describe('Precondition: a sealed file is wrapped by a configured CMK', () => {
  it.each([
    ['keyId option', { keyId: 'key-a' }, {}, 'ok'],
    ['other keyId option', { keyId: 'key-b' }, {}, 'ERR_ENVELOPE_KEY'],
    ['KMS_SECRETS_KEY_ID', {}, { KMS_SECRETS_KEY_ID: 'key-b' }, 'ERR_ENVELOPE_KEY'],
    ['KMS_SECRETS_KEY_ID matching', {}, { KMS_SECRETS_KEY_ID: 'key-a' }, 'ok'],
    ['keyIds listing it', { keyId: 'key-b', keyIds: ['key-c', 'key-a'] }, {}, 'ok'],
    ['keyIds not listing it', { keyIds: ['key-c'] }, {}, 'ERR_ENVELOPE_KEY'],
    ['no CMK configured', {}, {}, 'ok'],
    ['an alias keyId alone (cannot be compared)', { keyId: 'alias/app' }, {}, 'ERR_PLUGIN_OPTIONS'],
    ['an alias keyId with keyIds', { keyId: 'alias/app', keyIds: ['key-a'] }, {}, 'ok'],
  ] as const)('%s', async (_name, options, env, expected) => {
    const result = await load(sealedFile(), { ...options } as Options, env)
    if (expected === 'ok') expect(result).toBe('ok')
    else expect(result).toMatchObject({ code: expected, file: 'sealed.secret.json' })
  })

  it('refuses an empty kms.keyId when CMKs are configured', async () => {
    expect(await load(sealedFile({ keyId: '' }), { keyIds: ['key-a'] })).toMatchObject({
      code: 'ERR_ENVELOPE_FIELD',
    })
  })

  it('Precondition: keyIds lists KeyIds, not aliases', async () => {
    expect(() => createContext({ keyIds: ['alias/app'] }, { env: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_PLUGIN_OPTIONS' }),
    )
    expect(() => createContext({ keyIds: 'key-a' as never }, { env: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_PLUGIN_OPTIONS' }),
    )
  })
})
