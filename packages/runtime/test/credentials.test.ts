import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCredentialSource } from '../src/credentials/chain.js'
// The profile/CVM/TKE sources are the add-on `@kms-secrets/runtime/cloud`: registered here as an app's import would.
import '../src/cloud.js'
import { loopbackOverride, parseProfile } from '../src/credentials/cloud-sources.js'

// Tests talk to 127.0.0.1 only: the metadata and STS endpoints are always overridden (vitest.config.ts too).
const home = mkdtempSync(join(tmpdir(), 'kms-secrets-creds-'))
const emptyHome = mkdtempSync(join(tmpdir(), 'kms-secrets-nocreds-'))
let metadata: Server
let metadataUrl: string
const metadataHits: string[] = []
let expiredTime: unknown = 0

beforeAll(async () => {
  mkdirSync(join(home, '.tencentcloud'))
  writeFileSync(
    join(home, '.tencentcloud/credentials'),
    '[other]\nsecret_id = AKIDother\n\n[default]\nsecret_id = AKIDprofile\nsecret_key = profile-key\n',
  )
  metadata = createServer((req, res) => {
    metadataHits.push(req.url ?? '')
    if (!req.url?.startsWith('/latest/meta-data/cam/')) return void res.writeHead(404).end()
    if (req.url === '/latest/meta-data/cam/security-credentials/') return void res.end('kms-role\n')
    const body = { TmpSecretId: 'AKIDcvm', TmpSecretKey: 'cvm-key', Token: 'cvm-token', ExpiredTime: expiredTime }
    res.end(JSON.stringify({ ...body, Code: 'Success' }))
  })
  await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r))
  metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/latest/meta-data/`
})
afterAll(async () => {
  metadata.closeAllConnections()
  await new Promise((r) => metadata.close(r))
  rmSync(home, { recursive: true, force: true })
  rmSync(emptyHome, { recursive: true, force: true })
})

const off = { KMS_SECRETS_METADATA_URL: 'off', HOME: emptyHome }

describe('credential chain', () => {
  it('explicit options win over everything', async () => {
    const env = { ...off, TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'env-key' }
    const c = await createCredentialSource({ secretId: 'AKIDopt', secretKey: 'opt-key' }, env).get()
    expect(c.secretId).toBe('AKIDopt')
  })

  it('TENCENTCLOUD_SECRET_ID/_KEY/_SESSION_TOKEN come before SCF names', async () => {
    const env = {
      ...off,
      TENCENTCLOUD_SECRET_ID: 'AKIDenv',
      TENCENTCLOUD_SECRET_KEY: 'env-key',
      TENCENTCLOUD_SESSION_TOKEN: 'env-token',
      TENCENTCLOUD_SECRETID: 'AKIDscf',
      TENCENTCLOUD_SECRETKEY: 'scf-key',
    }
    expect(await createCredentialSource(undefined, env).get()).toEqual({
      secretId: 'AKIDenv',
      secretKey: 'env-key',
      token: 'env-token',
    })
  })

  it("SCF's TENCENTCLOUD_SECRETID/_SECRETKEY/_SESSIONTOKEN are read", async () => {
    const env = {
      ...off,
      TENCENTCLOUD_SECRETID: 'AKIDscf',
      TENCENTCLOUD_SECRETKEY: 'scf-key',
      TENCENTCLOUD_SESSIONTOKEN: 'scf-token',
    }
    expect(await createCredentialSource(undefined, env).get()).toEqual({
      secretId: 'AKIDscf',
      secretKey: 'scf-key',
      token: 'scf-token',
    })
  })

  it('the profile file [default] section, when no env names answer', async () => {
    const c = await createCredentialSource(undefined, { KMS_SECRETS_METADATA_URL: 'off', HOME: home }).get()
    expect(c).toMatchObject({ secretId: 'AKIDprofile', secretKey: 'profile-key' })
    expect(parseProfile('[default]\n; c\nsecret_id=a\n[x]\nsecret_key=b')).toEqual({ secret_id: 'a' })
  })

  it('the CVM role from the metadata service (loopback stand-in), refreshed before it expires', async () => {
    const now = Date.now()
    expiredTime = Math.floor(now / 1000) + 3600
    const source = createCredentialSource(undefined, { KMS_SECRETS_METADATA_URL: metadataUrl, HOME: emptyHome })
    expect(await source.get()).toMatchObject({ secretId: 'AKIDcvm', token: 'cvm-token' })
    const hits = metadataHits.length
    await source.get()
    expect(metadataHits.length).toBe(hits) // fresh: cached
    vi.spyOn(Date, 'now').mockReturnValue(now + 3600_000 - 60_000) // one minute before expiry
    try {
      await source.get()
      expect(metadataHits.length).toBeGreaterThan(hits)
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('CVM keys whose answer has no ExpiredTime are refetched after an assumed 15 minutes, never kept forever', async () => {
    const now = Date.now()
    expiredTime = undefined
    try {
      const source = createCredentialSource(undefined, { KMS_SECRETS_METADATA_URL: metadataUrl, HOME: emptyHome })
      expect(await source.get()).toMatchObject({ secretId: 'AKIDcvm' })
      const hits = metadataHits.length
      vi.spyOn(Date, 'now').mockReturnValue(now + 9 * 60_000)
      await source.get()
      expect(metadataHits.length).toBe(hits) // still fresh
      vi.spyOn(Date, 'now').mockReturnValue(now + 11 * 60_000)
      await source.get()
      expect(metadataHits.length).toBeGreaterThan(hits)
    } finally {
      vi.restoreAllMocks()
      expiredTime = 0
    }
  })

  it.each([
    ['true (Number(true) is 1: expired in 1970)', true, 9, 11],
    ['a numeric string of Unix seconds, one hour ahead', 'HOUR', 50, 56],
  ])('CVM keys whose ExpiredTime is %s are kept, then refetched', async (_, value, freshMin, staleMin) => {
    const now = Date.now()
    expiredTime = value === 'HOUR' ? String(Math.floor(now / 1000) + 3600) : value
    try {
      const source = createCredentialSource(undefined, { KMS_SECRETS_METADATA_URL: metadataUrl, HOME: emptyHome })
      expect(await source.get()).toMatchObject({ secretId: 'AKIDcvm' })
      const hits = metadataHits.length
      vi.spyOn(Date, 'now').mockReturnValue(now + freshMin * 60_000)
      await source.get()
      expect(metadataHits.length).toBe(hits) // still fresh
      vi.spyOn(Date, 'now').mockReturnValue(now + staleMin * 60_000)
      await source.get()
      expect(metadataHits.length).toBeGreaterThan(hits)
    } finally {
      vi.restoreAllMocks()
      expiredTime = 0
    }
  })

  it('no credentials anywhere: ONE ERR_KMS_CREDENTIALS listing every source, nothing printed', async () => {
    const spies = (['error', 'warn', 'log'] as const).map((m) => vi.spyOn(console, m))
    const write = vi.spyOn(process.stderr, 'write')
    try {
      const env = { KMS_SECRETS_METADATA_URL: `${metadataUrl}missing/`, HOME: emptyHome }
      const e = await createCredentialSource(undefined, env)
        .get()
        .then(
          () => undefined,
          (x: unknown) => x as Error & { code: string; hint: string },
        )
      expect(e?.code).toBe('ERR_KMS_CREDENTIALS')
      for (const source of ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRETID', 'profile', 'CVM role', 'TKE OIDC']) {
        expect(e?.message).toContain(source)
      }
      expect(e?.hint).toContain('TENCENTCLOUD_SECRET_KEY')
      for (const s of [...spies, write]) expect(s).not.toHaveBeenCalled()
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('half-set env names are reported, never their values', async () => {
    const env = { ...off, TENCENTCLOUD_SECRET_ID: 'AKIDlonely-value' }
    const e = await createCredentialSource(undefined, env)
      .get()
      .catch((x: Error) => x)
    expect(String((e as Error).message)).toContain('TENCENTCLOUD_SECRET_KEY is not set')
    expect(String((e as Error).message)).not.toContain('AKIDlonely-value')
  })

  it('the metadata and STS URL overrides are honoured for loopback hosts only (never send the token elsewhere)', async () => {
    expect(loopbackOverride('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9/')
    expect(loopbackOverride('http://localhost:8/x/')).toBe('http://localhost:8/x/')
    expect(loopbackOverride(undefined)).toBeUndefined()
    for (const bad of ['https://attacker.example/', 'http://169.254.0.23/', 'http://10.0.0.1/', 'not a url']) {
      expect(loopbackOverride(bad)).toBe(false)
    }
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    try {
      const tokenFile = join(emptyHome, 'oidc-token')
      writeFileSync(tokenFile, 'web-identity-token')
      const env = {
        HOME: emptyHome,
        KMS_SECRETS_METADATA_URL: 'https://attacker.example/meta/',
        KMS_SECRETS_STS_ENDPOINT: 'https://attacker.example/sts',
        TKE_REGION: 'ap-guangzhou',
        TKE_PROVIDER_ID: 'p',
        TKE_ROLE_ARN: 'qcs::cam::uin/1:roleName/r',
        TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      }
      const error = await createCredentialSource(undefined, env)
        .get()
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'ERR_KMS_CREDENTIALS' })
      expect(String((error as Error).message)).toContain('KMS_SECRETS_STS_ENDPOINT ignored')
      expect(fetchSpy).not.toHaveBeenCalled()
    } finally {
      fetchSpy.mockRestore()
    }
  })
})
