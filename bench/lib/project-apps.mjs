import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createProjectKey,
  createTencentProvider,
  encodeEnvelope,
  encodeProjectKey,
  parseSecretFile,
  sealWithProjectKey,
} from '@kms-secrets/core'
import { buildWithEsbuild, sealFilesTogether, writeEntry, writeSecretFiles } from './app.mjs'
import { countCalls, keyIds } from './kms.mjs'

/** (files, separate sealing calls): 1 file in 1 call; 10 in 1 or 10; 100 in 1, 10 or 100. */
export function sealingShapes(sizes) {
  return sizes.flatMap((n) => sizes.filter((k) => k <= n).map((calls) => ({ n, calls })))
}

/** `files` split into `calls` consecutive groups, as that many `kms-secrets encrypt` runs over time would. */
function groups(files, calls) {
  const size = Math.ceil(files.length / calls)
  return Array.from({ length: calls }, (_, i) => files.slice(i * size, (i + 1) * size))
}

/** `kms-secrets encrypt -i` with kms-secrets.json in reach: offline, no credentials, one seal per file. */
async function sealOffline(dir, files, key) {
  for (const file of files) {
    const { payload, shape } = parseSecretFile(readFileSync(join(dir, file), 'utf8'), 'json', file)
    const id = file.slice(file.lastIndexOf('/') + 1)
    const envelope = await sealWithProjectKey(key, { id, format: 'json', payload, shape })
    payload.fill(0)
    writeFileSync(join(dir, file), encodeEnvelope(envelope))
  }
}

/** The project key CMKs the bench compares (each start is one call on its CMK). */
export const projectCmks = [
  { name: 'symmetric', keyId: keyIds.project, action: 'Decrypt' },
  { name: 'RSA_2048', keyId: keyIds.projectRsa, action: 'AsymmetricRsaDecrypt' },
  { name: 'SM2', keyId: keyIds.projectSm2, action: 'AsymmetricSm2Decrypt' },
]

/**
 * Apps of benchmark 1b, one per (files N, sealing calls K), esbuild ESM bundles with the plugin on (sealed files are
 * only embedded): `before` — each of the K calls seals its group with its own data key (`kms-secrets encrypt`
 * without a project key: one GenerateDataKey per call); `after[cmk]` — kms-secrets.json made once (`init`), every
 * group sealed offline with its public half (no KMS call at all). Records the KMS calls sealing made.
 */
export async function prepareProjectApps(ctx, kms) {
  const admin = createTencentProvider({ endpoint: kms.endpoint, credential: ctx.ids.admin, region: 'ap-guangzhou' })
  const keys = {}
  for (const cmk of projectCmks) keys[cmk.name] = await createProjectKey({ provider: admin, keyId: cmk.keyId })
  const apps = []
  for (const { n, calls } of sealingShapes(ctx.config.sizes)) {
    const base = join(ctx.work, 'project-apps', `n${n}-k${calls}`)
    const src = join(base, 'plain')
    const files = writeSecretFiles(src, n)
    const entry = writeEntry(src, files)
    const app = { n, calls, after: {}, sealCalls: {} }
    const variant = async (name, seal) => {
      const dir = join(base, name)
      mkdirSync(dir, { recursive: true })
      cpSync(join(src, 'secrets'), join(dir, 'secrets'), { recursive: true })
      writeEntry(dir, files)
      const mark = kms.mark()
      for (const group of groups(files, calls)) await seal(dir, group)
      app.sealCalls[name] = Object.values(countCalls(kms.entriesSince(mark))).reduce((a, b) => a + b, 0)
      const out = join(dir, 'out.mjs')
      await buildWithEsbuild(dir, entry, out, { plugin: { endpoint: kms.endpoint, plaintext: 'error' } })
      return out
    }
    app.before = await variant('before', (dir, group) =>
      sealFilesTogether(dir, group, { endpoint: kms.endpoint, keyId: keyIds.perCall, credential: ctx.ids.build }),
    )
    for (const cmk of projectCmks) {
      app.after[cmk.name] = await variant(`after-${cmk.name}`, async (dir, group) => {
        writeFileSync(join(dir, 'kms-secrets.json'), encodeProjectKey(keys[cmk.name]))
        await sealOffline(dir, group, keys[cmk.name])
      })
    }
    apps.push(app)
  }
  return apps
}
