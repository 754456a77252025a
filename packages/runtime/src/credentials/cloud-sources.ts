import { KmsSecretsError } from '@kms-secrets/core/errors'
import { isLoopbackHost } from '../kms/endpoint.js'
import type { Env, SourceResult, TencentCredential, TimedCredential } from './types.js'

/**
 * The sources that need a file or the network — profile file, CVM role, TKE OIDC — written here (no SDK) after the
 * Tencent SDK's providers (tencentcloud-sdk-nodejs-common `credential.js`, `cvm_role_credential.js`). Part of
 * `@kms-secrets/runtime/cloud`, reached only when no earlier source answered (chain.ts); node builtins are loaded
 * lazily so the module stays portable.
 */

const metadataDefault = 'http://metadata.tencentyun.com/latest/meta-data/'
const stsDefault = 'https://sts.tencentcloudapi.com/'
/** The CVM metadata service answers in milliseconds on a CVM; elsewhere this bounds the wasted time. */
const metadataTimeoutMs = 1000

/**
 * The test overrides of the metadata and STS URLs are honoured only for loopback hosts: whoever can set the server's
 * environment must not be able to send the TKE web identity token, or take credentials, from a host of their own.
 */
export function loopbackOverride(value: string | undefined): string | undefined | false {
  const v = value?.trim()
  if (!v) return undefined
  try {
    return isLoopbackHost(new URL(v).hostname) ? v : false
  } catch {
    return false
  }
}

/** `[default]` of an INI file: secret_id, secret_key, token (the SDK's ProfileCredential reads the same). */
export function parseProfile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let inDefault = false
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    if (line.startsWith('[')) {
      inDefault = line === '[default]'
      continue
    }
    const eq = line.indexOf('=')
    if (inDefault && eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return out
}

const miss = (why: string): SourceResult => ({ missing: why })
/** Network requests of the sources: bounded, never following a redirect (a token must not go elsewhere). */
const limits = (ms: number) => ({ signal: AbortSignal.timeout(ms), redirect: 'error' as const })

/** ~/.tencentcloud/credentials, else /etc/tencentcloud/credentials (the SDK's order). */
export async function fromProfile(env: Env): Promise<SourceResult> {
  try {
    const { readFile } = await import('node:fs/promises')
    const home = env.HOME ?? env.USERPROFILE ?? (await import('node:os')).homedir()
    const p = parseProfile(
      await readFile(`${home}/.tencentcloud/credentials`, 'utf8').catch(() =>
        readFile('/etc/tencentcloud/credentials', 'utf8'),
      ),
    )
    if (p.secret_id && p.secret_key) return { secretId: p.secret_id, secretKey: p.secret_key, token: p.token }
  } catch {}
  return miss('profile: no [default] secret_id/secret_key in ~/.tencentcloud/credentials')
}

interface TmpCredentials {
  TmpSecretId?: unknown
  TmpSecretKey?: unknown
  Token?: unknown
  ExpiredTime?: unknown
}

/** Temporary keys whose answer gives no usable ExpiredTime are kept this long (refetched 5 minutes before). */
const assumedLifetimeMs = 15 * 60_000

function temporary(c: TmpCredentials | undefined, expiredTime: unknown): SourceResult | undefined {
  if (typeof c?.TmpSecretId !== 'string' || typeof c.TmpSecretKey !== 'string' || !c.TmpSecretId) return undefined
  const token = typeof c.Token === 'string' ? c.Token : undefined
  // Unix seconds, as a number or a numeric string; anything else (absent, '', true, …): never cached without an end.
  const seconds = typeof expiredTime === 'number' || typeof expiredTime === 'string' ? Number(expiredTime) : 0
  const expiresAt = seconds > 0 ? seconds * 1000 : Date.now() + assumedLifetimeMs
  return { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token, expiresAt }
}

/**
 * CVM role (https://cloud.tencent.com/document/product/213/47668): the role name, then its temporary keys, from the
 * metadata service. `KMS_SECRETS_METADATA_URL` overrides its base URL (tests: a loopback server) or `off` skips it.
 */
export async function fromCvmRole(env: Env): Promise<SourceResult> {
  if (env.KMS_SECRETS_METADATA_URL?.trim() === 'off') return miss('CVM role: off (KMS_SECRETS_METADATA_URL)')
  const override = loopbackOverride(env.KMS_SECRETS_METADATA_URL)
  if (override === false) return miss('CVM role: KMS_SECRETS_METADATA_URL ignored (not loopback)')
  const get = async (path: string) => {
    const res = await fetch(`${override ?? metadataDefault}cam/security-credentials/${path}`, limits(metadataTimeoutMs))
    if (!res.ok) throw new Error()
    return res.text()
  }
  try {
    const role = (await get('')).trim().split('\n')[0]?.trim()
    const c = role ? (JSON.parse(await get(encodeURIComponent(role))) as TmpCredentials & { Code?: unknown }) : {}
    const found = c.Code === 'Success' && temporary(c, c.ExpiredTime)
    if (found) return found
  } catch {}
  return miss('CVM role: none (not a CVM, or no role bound)')
}

/**
 * TKE OIDC (https://cloud.tencent.com/document/product/457/81615): exchange the pod's web identity token for temporary
 * keys with STS AssumeRoleWithWebIdentity, which is not signed (the SDK sends it with `Authorization: SKIP`).
 */
export async function fromTkeOidc(env: Env): Promise<SourceResult> {
  const { TKE_REGION: region, TKE_PROVIDER_ID: providerId, TKE_ROLE_ARN: roleArn } = env
  const tokenFile = env.TKE_WEB_IDENTITY_TOKEN_FILE
  if (!region || !providerId || !roleArn || !tokenFile)
    return miss('TKE OIDC: TKE_REGION/_PROVIDER_ID/_ROLE_ARN/_WEB_IDENTITY_TOKEN_FILE not all set')
  const sts = loopbackOverride(env.KMS_SECRETS_STS_ENDPOINT)
  if (sts === false) return miss('TKE OIDC: KMS_SECRETS_STS_ENDPOINT ignored (not loopback)')
  try {
    const { readFile } = await import('node:fs/promises')
    const body = JSON.stringify({
      RoleArn: roleArn,
      RoleSessionName: `kms-secrets-${Date.now()}`,
      WebIdentityToken: (await readFile(tokenFile, 'utf8')).trim(),
      ProviderId: providerId,
    })
    const res = await fetch(sts ?? stsDefault, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'SKIP',
        'X-TC-Action': 'AssumeRoleWithWebIdentity',
        'X-TC-Version': '2018-08-13',
        'X-TC-Region': region,
        'X-TC-Timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body,
      ...limits(5000),
    })
    const r = ((await res.json()) as { Response?: { Credentials?: TmpCredentials; ExpiredTime?: unknown } }).Response
    const found = temporary(r?.Credentials, r?.ExpiredTime)
    if (found) return found
  } catch {}
  return miss('TKE OIDC: STS AssumeRoleWithWebIdentity failed')
}

/** Temporary keys are replaced this long before they expire (CVM/TKE keys live for hours). */
const refreshMarginMs = 5 * 60_000

/** Profile file, CVM role, TKE OIDC in this order, after the env names' misses `tried`: ONE error when none answers. */
async function lookup(env: Env, tried: readonly string[]): Promise<TimedCredential> {
  const misses = [...tried]
  for (const source of [fromProfile, fromCvmRole, fromTkeOidc]) {
    const r = await source(env)
    if (!('missing' in r)) return r
    misses.push(r.missing)
  }
  throw new KmsSecretsError(
    'ERR_KMS_CREDENTIALS',
    `No Tencent Cloud credentials found. Tried: ${misses.join('; ')}.`,
    'Set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (+ _SESSION_TOKEN), or use a CVM, SCF or TKE role allowed kms:Decrypt.',
  )
}

/**
 * The add-on's credential getter (chain.ts asks for it when the environment has none): looked up on first use and
 * kept while fresh; temporary keys are fetched again before they expire. Concurrent callers share one lookup.
 */
export function cloudCredentials(env: Env, tried: readonly string[]): () => Promise<TencentCredential> {
  let current: Promise<TimedCredential> | undefined
  let expiry: number | undefined
  return () => {
    if (current === undefined || (expiry !== undefined && Date.now() >= expiry - refreshMarginMs)) {
      expiry = undefined
      const next = lookup(env, tried)
      current = next
      next.then(
        (c) => {
          if (current === next) expiry = c.expiresAt
        },
        () => {
          if (current === next) current = undefined
        },
      )
    }
    return current
  }
}
