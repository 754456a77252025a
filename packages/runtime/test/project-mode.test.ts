import { createProjectKey, sealWithProjectKey } from '@kms-secrets/core'
import { createFakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'

const slot = Symbol.for('@kms-secrets/runtime/project-mode@1')

describe('mode project comes with @kms-secrets/runtime/project', () => {
  it('without it: a typed error saying what to import, no KMS call; after importing it, the same opener opens', async () => {
    // This file never imported ../src/project.js; make sure no other file did in this process either.
    delete (globalThis as Record<symbol, unknown>)[slot]
    const kms = createFakeKms({ keys: ['sym-key-1'] })
    const key = await createProjectKey({ provider: kms, keyId: 'sym-key-1', context: {} })
    const payload = new TextEncoder().encode('{"a":1}')
    const env = await sealWithProjectKey(key, { id: 'a.secret.json', format: 'json', payload })
    kms.calls.length = 0
    const opener = createSecretOpener({ provider: kms })
    const e = await rejection(opener.open(env, { file: 'a.secret.json' }))
    expect(e.code).toBe('ERR_PROJECT_KEY')
    expect(e.message).toContain('a.secret.json')
    expect(e.hint).toContain("import '@kms-secrets/runtime/project'")
    expect(kms.calls).toEqual([])
    // Registration is looked up at the first project envelope, so an import evaluated later still counts.
    await import('../src/project.js')
    await expect(opener.open(env, { file: 'a.secret.json' })).resolves.toEqual({ a: 1 })
  })
})
