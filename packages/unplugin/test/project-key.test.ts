import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createProjectKey, decodePayload, encodeProjectKey, openEnvelope, validateAnyEnvelope } from '@kms-secrets/core'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { rollup } from 'rollup'
import { describe, expect, it } from 'vitest'
import kmsRollup from '../src/rollup'
import { createApp, expectNoPlaintext } from './helpers/app'

// Issue 12: with a kms-secrets.json in reach, plaintext secret files are sealed at build with the project key's
// public half — no provider, no credentials, no KMS call — and the output opens with one unwrap.
const external = ['@kms-secrets/runtime']
const cmk = createFakeKms({ keys: ['sym-1'], asymmetric: { 'sm2-1': 'ASYMMETRIC_DECRYPT_SM2' } })

async function projectApp(keyId: string, context: Record<string, string> = {}) {
  const app = createApp()
  writeFileSync(
    join(app.root, 'kms-secrets.json'),
    encodeProjectKey(await createProjectKey({ provider: cmk, keyId, context })),
  )
  // No provider and no keyId: any KMS call would need credentials the test process does not have.
  const { provider: _p, keyId: _k, ...plugin } = app.plugin
  return { app, plugin }
}

function envelopesOf(text: string) {
  return [...text.matchAll(/openSecret\((\{"kmsSecrets".*?\}), \{ file: /g)].map((m) =>
    validateAnyEnvelope(JSON.parse(m[1]!)),
  )
}

async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e, 'the build should have failed').toBeDefined()
  return e as Record<string, unknown>
}

describe('plugin with a project key (kms-secrets.json in reach)', () => {
  it.each(['sym-1', 'sm2-1'])(
    'seals plaintext at build with no KMS call; the output opens with one unwrap (%s)',
    async (keyId) => {
      const { app, plugin } = await projectApp(keyId)
      const before = cmk.calls.length
      const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins: [kmsRollup(plugin)] })
      await bundle.write({ dir: app.out, format: 'es' })
      await bundle.close()
      expect(cmk.calls.length).toBe(before)
      expect(app.kms.calls).toEqual([])
      const envs = envelopesOf(expectNoPlaintext(app.out))
      expect(envs.map((e) => [e.id, e.mode])).toEqual([
        ['db.secret.json', 'project'],
        ['token.secret.txt', 'project'],
      ])
      const values = []
      for (const env of envs) values.push(decodePayload(await openEnvelope(env, { provider: cmk }), env.format))
      expect(values[0]).toMatchObject({ password: 'canary-db-password-7f3a' })
      expect(values[1]).toContain('canary-text-token-3d7e')
    },
  )

  it('the build context and CMK allow-list apply to project envelopes too', async () => {
    const { app, plugin } = await projectApp('sym-1', { app: 'api' })
    const input = join(app.root, 'src/server.js')
    const ctx = await failure(rollup({ input, external, plugins: [kmsRollup({ ...plugin, context: { app: 'web' } })] }))
    expect(ctx.pluginCode).toBe('ERR_ENVELOPE_CONTEXT')
    const key = await failure(rollup({ input, external, plugins: [kmsRollup({ ...plugin, keyIds: ['other-cmk'] })] }))
    expect(key.pluginCode).toBe('ERR_ENVELOPE_KEY')
    const ok = await rollup({
      input,
      external,
      plugins: [kmsRollup({ ...plugin, context: { app: 'api' }, keyIds: ['sym-1'] })],
    })
    await ok.close()
  })

  it("plaintext: 'error' still forbids plaintext files", async () => {
    const { app, plugin } = await projectApp('sym-1')
    const e = await failure(
      rollup({
        input: join(app.root, 'src/server.js'),
        external,
        plugins: [kmsRollup({ ...plugin, plaintext: 'error' })],
      }),
    )
    expect(e.pluginCode).toBe('ERR_PLUGIN_PLAINTEXT_FORBIDDEN')
  })
})
