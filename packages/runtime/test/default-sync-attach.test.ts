import { afterEach, describe, expect, it } from 'vitest'
import { openSecret, openSecretSync, type SecretOpener } from '../src/index.js'

const key = Symbol.for('@kms-secrets/runtime/default-opener@1')
const holder = globalThis as { [key]?: SecretOpener }

afterEach(() => {
  holder[key]?.close()
  delete holder[key]
})

describe('the default opener carries the sync client only once openSecretSync is used', () => {
  it('openSecret makes it without openSync (ESM bundles leave the worker client out); openSecretSync attaches it', async () => {
    delete holder[key]
    const bad = {} as never
    await expect(openSecret(bad, { file: 'a.secret.json' })).rejects.toMatchObject({ file: 'a.secret.json' })
    expect(holder[key]?.openSync).toBeUndefined()
    // Bad input fails in openSync itself, before any worker starts.
    expect(() => openSecretSync(bad, { file: 'b.secret.json' })).toThrow(/b\.secret\.json/)
    expect(typeof holder[key]?.openSync).toBe('function')
  })
})
