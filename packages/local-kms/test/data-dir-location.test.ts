import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLocalKmsError } from '../src/server/local-kms-error.js'
import { defaultDataDir, enclosingProject, type UserDirs } from '../src/storage/data-dir-location.js'
import { startTestKms } from './helpers/server.js'

describe('defaultDataDir: the per-user state dir, outside every project', () => {
  const linux = (env: UserDirs['env'], homedir = '/home/ann'): UserDirs => ({ platform: 'linux', env, homedir })
  it.each<[string, UserDirs, string]>([
    ['Linux, XDG_STATE_HOME set', linux({ XDG_STATE_HOME: '/xdg/state' }), '/xdg/state/kms-secrets/local-kms'],
    ['Linux, no XDG_STATE_HOME', linux({}), '/home/ann/.local/state/kms-secrets/local-kms'],
    ['Linux, empty XDG_STATE_HOME', linux({ XDG_STATE_HOME: '' }), '/home/ann/.local/state/kms-secrets/local-kms'],
    [
      'Linux, relative XDG_STATE_HOME (ignored, XDG spec)',
      linux({ XDG_STATE_HOME: 'state' }),
      '/home/ann/.local/state/kms-secrets/local-kms',
    ],
    ['Linux, XDG_STATE_HOME and no home', linux({ XDG_STATE_HOME: '/xdg' }, ''), '/xdg/kms-secrets/local-kms'],
    [
      'FreeBSD (XDG rules)',
      { platform: 'freebsd', env: {}, homedir: '/usr/home/ann' },
      '/usr/home/ann/.local/state/kms-secrets/local-kms',
    ],
    [
      'macOS (XDG_STATE_HOME not used)',
      { platform: 'darwin', env: { XDG_STATE_HOME: '/xdg' }, homedir: '/Users/ann' },
      '/Users/ann/Library/Application Support/kms-secrets/local-kms',
    ],
    [
      'Windows, LOCALAPPDATA set',
      { platform: 'win32', env: { LOCALAPPDATA: 'D:\\Local' }, homedir: 'C:\\Users\\ann' },
      'D:\\Local\\kms-secrets\\local-kms',
    ],
    [
      'Windows, no LOCALAPPDATA',
      { platform: 'win32', env: {}, homedir: 'C:\\Users\\ann' },
      'C:\\Users\\ann\\AppData\\Local\\kms-secrets\\local-kms',
    ],
  ])('%s', (_name, dirs, expected) => {
    expect(defaultDataDir(dirs)).toBe(expected)
  })

  it.each<[string, UserDirs]>([
    ['Linux', linux({}, '')],
    ['macOS', { platform: 'darwin', env: {}, homedir: '' }],
    ['Windows', { platform: 'win32', env: {}, homedir: '' }],
  ])('%s without any home directory: ERR_LOCAL_KMS_OPTIONS (pass --data-dir)', (_name, dirs) => {
    let error: unknown
    try {
      defaultDataDir(dirs)
    } catch (e) {
      error = e
    }
    expect(isLocalKmsError(error) && error.code).toBe('ERR_LOCAL_KMS_OPTIONS')
  })
})

describe('enclosingProject: the project a data dir lies in', () => {
  const fs =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file)
  it.each<[string, string, (f: string) => boolean, { dir: string; marker: string } | undefined]>([
    ['package.json above', '/w/app/.kms-local', fs('/w/app/package.json'), { dir: '/w/app', marker: 'package.json' }],
    ['.git two levels up', '/w/app/var/kms', fs('/w/app/.git'), { dir: '/w/app', marker: '.git' }],
    ['vite.config.mts', '/w/site/kms', fs('/w/site/vite.config.mts'), { dir: '/w/site', marker: 'vite.config.mts' }],
    ['kms-secrets.json', '/w/x/kms', fs('/w/x/kms-secrets.json'), { dir: '/w/x', marker: 'kms-secrets.json' }],
    [
      'the nearest project wins',
      '/w/a/b/kms',
      fs('/w/a/b/package.json', '/w/.git'),
      { dir: '/w/a/b', marker: 'package.json' },
    ],
    ['a project outside home, up to /', '/srv/kms', fs('/package.json'), { dir: '/', marker: 'package.json' }],
    ['nothing above', '/srv/kms', fs(), undefined],
    [
      'the default dir under a home with a dotfiles .git',
      '/home/ann/.local/state/kms-secrets/local-kms',
      fs('/home/ann/.git'),
      undefined,
    ],
    ['a marker at / above home does not count', '/home/ann/.kms', fs('/package.json'), undefined],
    [
      'a project inside home counts',
      '/home/ann/app/.kms-local',
      fs('/home/ann/app/package.json'),
      { dir: '/home/ann/app', marker: 'package.json' },
    ],
  ])('%s', (_name, dataDir, exists, expected) => {
    expect(enclosingProject(dataDir, '/home/ann', exists)).toEqual(expected)
  })
})

describe('startLocalKms warns (one line, via log) when its data dir lies inside a project', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'local-kms-location-'))
    await mkdir(join(root, 'app'))
    await writeFile(join(root, 'app', 'package.json'), '{}')
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it.each([
    ['inside a project', join('app', '.kms-local'), true],
    ['outside every project', 'kms-data', false],
  ])('%s', async (_name, dir, warned) => {
    const lines: string[] = []
    const dataDir = join(root, dir)
    const kms = await startTestKms({ dataDir, quiet: true, log: (line) => lines.push(line) })
    await kms.kms.close()
    const warnings = lines.filter((l) => l.includes('warning'))
    expect(warnings).toHaveLength(warned ? 1 : 0)
    if (warned) {
      expect(warnings[0]).toContain(
        `data dir ${dataDir} is inside the project ${join(root, 'app')} (it has package.json)`,
      )
      expect(warnings[0]).toMatch(/use the default data dir .+ or another directory outside the project\.$/)
      expect(warnings[0]).not.toContain('\n')
    }
  })
})
