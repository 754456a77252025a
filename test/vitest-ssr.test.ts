import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeTempDir } from './utils/fixture.js'
import { kmsEnv, useKms } from './utils/kms.js'

/**
 * A user's own vitest run with the vite plugin: test files import secrets, vite-node gets the generated module and
 * decrypts in memory. Output (pass or fail) must never show a value — failed decrypts once printed a code frame read
 * from the plaintext secret file, because the error's stack named it.
 */
const kms = useKms()
const keyId = kms.keyIds.dev
const canary = 'vitest-canary-password-3f9a'
const vitestBin = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs')
let dir: string
/** The same app with a custom include: secrets are `src/secrets/*.json`, no `.secret.` in their names. */
let customDir: string

/**
 * A vitest project whose test imports the secret at `src/<secret>` (user vt_user, password the canary); `include` is
 * the source of the plugin's include option, or undefined for the default.
 */
function writeVitestApp(root: string, secret: string, include?: string): void {
  mkdirSync(dirname(join(root, 'src', secret)), { recursive: true })
  writeFileSync(join(root, 'src', secret), JSON.stringify({ user: 'vt_user', password: canary }, null, 2))
  writeFileSync(
    join(root, 'src/app.test.js'),
    `import { expect, test } from 'vitest'
import db, { user } from './${secret}'
test('the secret import is the decrypted value', () => {
  expect(user).toBe('vt_user')
  expect(db.password.length).toBe(${canary.length})
})
`,
  )
  const options = include === undefined ? '' : ', include'
  writeFileSync(
    join(root, 'vitest.config.mjs'),
    `import kmsSecrets from 'unplugin-kms-secrets/vite'
${include === undefined ? '' : `const include = ${include}\n`}export default { plugins: [kmsSecrets({ keyId: ${JSON.stringify(keyId)}${options}, dts: false })], test: { include: ['src/**/*.test.js'] } }
`,
  )
}

beforeAll(() => {
  dir = makeTempDir('vitest-ssr')
  writeVitestApp(dir, 'db.secret.json')
})
beforeAll(() => {
  customDir = makeTempDir('vitest-ssr-include')
  writeVitestApp(customDir, 'secrets/db.json', '[/\\/secrets\\/[^/]+\\.json$/]')
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(customDir, { recursive: true, force: true })
})

function runVitest(who: (typeof kms.identities)['build'], root = dir) {
  const r = spawnSync(process.execPath, [vitestBin, 'run', '--root', root], {
    cwd: root,
    env: { ...kmsEnv(kms, who), NO_COLOR: '1', CI: 'true' },
    encoding: 'utf8',
    timeout: 90_000,
  })
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` }
}

describe('vitest with the plugin (vite-node SSR)', () => {
  test('test files get the decrypted value; nothing printed holds it', () => {
    const r = runVitest(kms.identities.dev)
    expect(r.output).toMatch(/1 passed/)
    expect(r.code).toBe(0)
    expect(textHasCanary(r.output, [canary])).toEqual([])
  })

  test('a refused Decrypt fails the run with a typed error and no code frame of the secret file', () => {
    // The build identity may seal (GenerateDataKey) but not Decrypt: the plugin seals, the runtime's Decrypt fails.
    const r = runVitest(kms.identities.build)
    expect(r.code).not.toBe(0)
    expect(r.output).toMatch(/KMS Decrypt .*AuthFailure\.UnauthorizedOperation/)
    expect(textHasCanary(r.output, [canary])).toEqual([])
    expect(r.output).not.toMatch(/db\.secret\.json:\d+:\d+/)
  })

  test('with a custom include (no `.secret.` in the name): a refused Decrypt shows no code frame either', () => {
    const ok = runVitest(kms.identities.dev, customDir)
    expect(ok.output).toMatch(/1 passed/)
    const r = runVitest(kms.identities.build, customDir)
    expect(r.code).not.toBe(0)
    expect(r.output).toMatch(/KMS Decrypt .*AuthFailure\.UnauthorizedOperation/)
    expect(textHasCanary(r.output, [canary])).toEqual([])
    expect(r.output).not.toMatch(/secrets\/db\.json:\d+:\d+/)
  })
})
