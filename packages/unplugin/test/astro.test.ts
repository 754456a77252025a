import process from 'node:process'
import { afterEach, describe, expect, test } from 'vitest'
import kmsSecrets from '../src/astro'

const saved = process.env.KMS_SECRETS_PHASE
afterEach(() => {
  if (saved === undefined) delete process.env.KMS_SECRETS_PHASE
  else process.env.KMS_SECRETS_PHASE = saved
})

describe('unplugin-kms-secrets/astro', () => {
  test('astro:config:setup adds the vite plugin (enforce pre) through updateConfig, for every command', () => {
    for (const command of ['dev', 'build', 'preview', 'sync'] as const) {
      const updates: { vite: { plugins: unknown[] } }[] = []
      kmsSecrets({ keyId: 'k' }).hooks['astro:config:setup']({ command, updateConfig: (c) => updates.push(c) })
      expect(updates).toHaveLength(1)
      const plugins = updates[0]!.vite.plugins.flat() as { name: string; enforce?: string }[]
      expect(plugins.map((p) => [p.name, p.enforce])).toEqual([['unplugin-kms-secrets', 'pre']])
    }
  })

  test('astro:build:start marks the process as the build phase (Astro prerenders in it)', () => {
    delete process.env.KMS_SECRETS_PHASE
    const integration = kmsSecrets()
    expect(integration.name).toBe('unplugin-kms-secrets')
    integration.hooks['astro:build:start']()
    expect(process.env.KMS_SECRETS_PHASE).toBe('build')
  })
})
