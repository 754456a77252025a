import type { AnyEnvelope } from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'
import { cloudRuntimeSpecifier, generateSecretModule, projectRuntimeSpecifier } from '../src/core/codegen'

const kms = { provider: 'tencent', region: 'ap-guangzhou', keyId: 'k', blob: 'AA==' }
const base = { kmsSecrets: 2, id: 'a.secret.json', format: 'text', context: {}, iv: 'x', data: 'x', tag: 'x' }
const sealed = { ...base, alg: 'AES-256-GCM', mode: 'envelope', kms, salt: 'x', commit: 'x' } as unknown as AnyEnvelope
const project = {
  ...base,
  alg: 'HPKE-P256-AES-256-GCM',
  mode: 'project',
  kms: { ...kms, wrap: 'KMS', project: 'f'.repeat(64) },
  enc: 'x',
  salt: 'x',
  commit: 'x',
} as unknown as AnyEnvelope

describe('generated module: mode "project" only where an envelope needs it', () => {
  it.each([
    ['@kms-secrets/runtime', '@kms-secrets/runtime/project'],
    [
      '/abs/node_modules/@kms-secrets/runtime/dist/index.mjs',
      '/abs/node_modules/@kms-secrets/runtime/dist/project.mjs',
    ],
    ['C:/x/runtime/src/index.ts', 'C:/x/runtime/src/project.ts'],
    ['/x/my-runtime.mjs', undefined],
  ])('the project entry of %s is %s', (runtime, expected) => {
    expect(projectRuntimeSpecifier(runtime)).toBe(expected)
  })

  it('ESM: imported (before the runtime) for a project envelope, never for another', () => {
    const runtime = '/r/dist/index.mjs'
    const withProject = generateSecretModule({ envelope: project, file: 'a.secret.json', runtime, sync: false })
    const without = generateSecretModule({ envelope: sealed, file: 'a.secret.json', runtime, sync: false })
    expect(withProject).toContain('import "/r/dist/project.mjs";')
    expect(withProject.indexOf('project.mjs')).toBeLessThan(withProject.indexOf('openSecret'))
    expect(without).not.toMatch(/import "[^"]*project/)
  })

  it('CommonJS (openSecretSync): never, the worker file that opens always has the mode', () => {
    const code = generateSecretModule({
      envelope: project,
      file: 'a.secret.json',
      runtime: '/x/runtime/dist/index.cjs',
      sync: true,
    })
    expect(code).not.toMatch(/import "[^"]*project/)
    expect(code).toContain('import { openSecretSync } from "/x/runtime/dist/sync.cjs";')
  })
})

describe('generated module: `@kms-secrets/runtime/cloud` for the option cloud: true', () => {
  it.each([
    ['@kms-secrets/runtime', '@kms-secrets/runtime/cloud'],
    ['/abs/node_modules/@kms-secrets/runtime/dist/index.mjs', '/abs/node_modules/@kms-secrets/runtime/dist/cloud.mjs'],
    ['/x/my-runtime.mjs', undefined],
  ])('the cloud entry of %s is %s', (runtime, expected) => {
    expect(cloudRuntimeSpecifier(runtime)).toBe(expected)
  })

  it('ESM: imported before the runtime with cloud: true, never without', () => {
    const runtime = '/r/dist/index.mjs'
    const input = { envelope: project, file: 'a.secret.json', runtime, sync: false }
    const withCloud = generateSecretModule({ ...input, cloud: true })
    expect(withCloud).toContain('import "/r/dist/cloud.mjs";')
    expect(withCloud).toContain('import "/r/dist/project.mjs";')
    expect(withCloud.indexOf('cloud.mjs')).toBeLessThan(withCloud.indexOf('openSecret'))
    expect(generateSecretModule(input)).not.toContain('cloud')
    expect(generateSecretModule({ ...input, cloud: false })).not.toContain('cloud')
  })

  it('CommonJS (openSecretSync): never, the worker file that opens has it', () => {
    const code = generateSecretModule({
      envelope: sealed,
      file: 'a.secret.json',
      runtime: '/x/runtime/dist/index.cjs',
      sync: true,
      cloud: true,
    })
    expect(code).not.toContain('cloud')
  })
})

describe('generated module: the file name is never code', () => {
  it('a line break in the name stays inside the leading comment', () => {
    const file = 'a\nglobalThis.injected = 1 //\u2028x.secret.json'
    const code = generateSecretModule({ envelope: sealed, file, runtime: '@kms-secrets/runtime', sync: false })
    const [comment, ...rest] = code.split('\n')
    expect(comment).toMatch(/^\/\/ a globalThis\.injected = 1 \/\/ x\.secret\.json: sealed/)
    expect(rest.some((line) => line.startsWith('globalThis'))).toBe(false)
    expect(code).toContain(`{ file: ${JSON.stringify(file)} }`)
  })
})
