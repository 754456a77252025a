import { linkSync, mkdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '../src/core/context'
import { claimOf } from '../src/core/secret-claims'
import { createSecretIndex } from '../src/core/secret-index'
import { tempProject } from './helpers/project'

/** A project whose secrets are `secrets/*.json` (custom include regex), with one secret file. */
function setup() {
  const root = realpathSync(tempProject())
  mkdirSync(join(root, 'secrets'))
  writeFileSync(join(root, 'secrets', 'api.json'), '{"apiKey":"canary-index"}')
  const ctx = createContext({ root, include: [/\/secrets\/[^/]+\.json$/], dts: false }, { env: {} })
  return { root, ctx, index: createSecretIndex(ctx) }
}

describe('createSecretIndex: a secret file under any of its names', () => {
  it('finds it by include on the path, on the real path (file and dir symlinks) and by inode (hard links)', () => {
    const { root, index } = setup()
    const secret = join(root, 'secrets', 'api.json')
    symlinkSync('secrets/api.json', join(root, 'innocent.json'))
    symlinkSync('secrets', join(root, 'linked'))
    linkSync(secret, join(root, 'notes.json'))
    writeFileSync(join(root, 'plain.json'), '{}')
    expect(index.secretFileOf(secret)).toBe(secret)
    expect(index.secretFileOf(join(root, 'innocent.json'))).toBe(secret)
    expect(index.secretFileOf(join(root, 'linked', 'api.json'))).toBe(secret)
    expect(index.secretFileOf(join(root, 'notes.json'))).toBe(secret)
    expect(index.secretFileOf(join(root, 'plain.json'))).toBeUndefined()
    expect(index.secretFileOf(join(root, 'missing.json'))).toBeUndefined()
  })

  it('finds a hard link made after a lookup said "not a secret" (the new link changes the ctime)', () => {
    const { root, index } = setup()
    writeFileSync(join(root, 'a.json'), '{}')
    linkSync(join(root, 'a.json'), join(root, 'b.json'))
    expect(index.secretFileOf(join(root, 'a.json'))).toBeUndefined()
    linkSync(join(root, 'a.json'), join(root, 'secrets', 'late.json'))
    expect(index.secretFileOf(join(root, 'a.json'))).toBe(join(root, 'secrets', 'late.json'))
  })

  it('forgets a secret file moved out of include (its other names are then plain files)', () => {
    const { root, index } = setup()
    linkSync(join(root, 'secrets', 'api.json'), join(root, 'notes.json'))
    expect(index.secretFileOf(join(root, 'notes.json'))).toBe(join(root, 'secrets', 'api.json'))
    renameSync(join(root, 'secrets', 'api.json'), join(root, 'api.json'))
    expect(index.secretFileOf(join(root, 'notes.json'))).toBeUndefined()
    rmSync(join(root, 'api.json'))
  })
})

describe('claimOf: what the load hook handles', () => {
  it('seals secrets under any name, refuses local-kms data, leaves the rest', () => {
    const { root, ctx } = setup()
    linkSync(join(root, 'secrets', 'api.json'), join(root, 'notes.json'))
    mkdirSync(join(root, 'kms-data', 'keys'), { recursive: true })
    writeFileSync(join(root, 'kms-data', 'local-kms.json'), '{"format":"local-kms/data-dir@1","data":{}}')
    writeFileSync(join(root, 'kms-data', 'keys', 'k.json'), '{}')
    writeFileSync(join(root, 'plain.json'), '{}')
    expect(claimOf(ctx, join(root, 'secrets', 'api.json'))).toBe('secret')
    expect(claimOf(ctx, `${join(root, 'notes.json')}?import`)).toBe('secret')
    expect(claimOf(ctx, join(root, 'kms-data', 'keys', 'k.json'))).toBe('kms-data')
    expect(claimOf(ctx, join(root, 'plain.json'))).toBeUndefined()
    expect(claimOf(ctx, join(root, 'src', 'main.ts'))).toBeUndefined()
    expect(claimOf(ctx, '\0virtual:notes.json')).toBeUndefined()
  })
})
