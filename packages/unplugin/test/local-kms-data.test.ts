import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  findLocalKmsDataDirs,
  isLocalKmsDataDir,
  localKmsDataDirOf,
  localKmsMarkerFormat,
  localKmsMarkerName,
} from '../src/core/local-kms-data'
import { tempProject } from './helpers/project'

function dataDir(root: string, rel: string, format = localKmsMarkerFormat): string {
  const dir = join(root, rel)
  mkdirSync(join(dir, 'keys'), { recursive: true })
  writeFileSync(join(dir, localKmsMarkerName), JSON.stringify({ format, sha256: '00', data: { version: 1 } }))
  return dir
}

describe('local-kms data dirs (marker local-kms.json, format local-kms/data-dir@1)', () => {
  it('knows a data dir by its marker, whatever the dir is called; another local-kms.json is not one', () => {
    const root = realpathSync(tempProject())
    const real = dataDir(root, 'var/anything')
    const foreign = dataDir(root, 'tools', 'some-other-tool@1')
    writeFileSync(join(root, 'local-kms.json'), 'not json')
    expect(isLocalKmsDataDir(real)).toBe(true)
    expect(isLocalKmsDataDir(foreign)).toBe(false)
    expect(isLocalKmsDataDir(root)).toBe(false)
    expect(isLocalKmsDataDir(join(root, 'local-kms.json'))).toBe(false)
  })

  it('finds the data dir of any path inside it (existing or not), and every data dir under a root', () => {
    const root = realpathSync(tempProject())
    const a = dataDir(root, '.kms-local')
    const b = dataDir(root, 'var/kms')
    mkdirSync(join(root, 'node_modules', 'x'), { recursive: true })
    dataDir(root, 'node_modules/x/.kms')
    expect(localKmsDataDirOf(join(a, 'keys', 'k.json'))).toBe(a)
    expect(localKmsDataDirOf(join(a, 'identities.json'))).toBe(a)
    expect(localKmsDataDirOf(a)).toBe(a)
    expect(localKmsDataDirOf(join(root, 'src', 'main.ts'))).toBeUndefined()
    expect(findLocalKmsDataDirs(root).sort()).toEqual([a, b].sort())
  })
})
