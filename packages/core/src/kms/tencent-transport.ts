import {
  CommonClient,
  type Credential,
  DefaultCredentialProvider,
  type DynamicCredential,
} from 'tencentcloud-sdk-nodejs-common'
import { KmsSecretsError } from '../errors.js'
import {
  type CallWatch,
  callWatch,
  createWatchedHttpsAgent,
  resolveTencentEndpoint,
  tencentKmsHost,
} from './tencent-endpoint.js'
import { mapTencentError, noCredentialsMessage } from './tencent-errors.js'
import type { CallOptions } from './types.js'

/** Tencent KMS API version (https://cloud.tencent.com/document/api/573). */
export const tencentKmsVersion = '2019-01-18'
export const defaultTencentRegion = 'ap-guangzhou'
export const defaultTimeoutMs = 10_000

export interface TencentCredential {
  secretId: string
  secretKey: string
  token?: string
}

export interface TencentProviderOptions {
  /** Default: env TENCENTCLOUD_REGION, else `ap-guangzhou`. */
  region?: string
  /** Full URL; default env KMS_SECRETS_ENDPOINT, else https://kms.tencentcloudapi.com. http only for loopback. */
  endpoint?: string
  /** Static credentials or a provider (`getCredential()`); default the SDK's DefaultCredentialProvider chain. */
  credential?: TencentCredential | DynamicCredential
  /** Request timeout in ms (default 10 000). */
  timeoutMs?: number
  /** Environment to read TENCENTCLOUD_REGION / KMS_SECRETS_ENDPOINT / https_proxy from (default process.env). */
  env?: Record<string, string | undefined>
}

export interface TencentTransport {
  readonly region: string
  call<T = Record<string, unknown>>(
    action: string,
    params: Record<string, unknown>,
    opts?: CallOptions & { keyId?: string | undefined; secrets?: string[] },
  ): Promise<T & { RequestId?: string }>
}

const regionRE = /^[a-z][a-z0-9-]{1,40}$/

function checkedCredential(source: TencentCredential | DynamicCredential): DynamicCredential {
  return {
    async getCredential(): Promise<Credential> {
      let c: Credential | undefined
      try {
        c = 'getCredential' in source ? await source.getCredential() : source
      } catch {
        // A failing provider (STS, metadata server) means "no usable credentials"; its message may carry tokens.
        c = undefined
      }
      if (!c?.secretId || !c.secretKey) throw new Error(noCredentialsMessage)
      return c
    },
  }
}

function resolveRegion(options: TencentProviderOptions, env: Record<string, string | undefined>): string {
  const region = options.region || env.TENCENTCLOUD_REGION || defaultTencentRegion
  if (!regionRE.test(region)) {
    throw new KmsSecretsError(
      'ERR_KMS_CONFIG',
      `The KMS region "${region.slice(0, 64)}" is not a Tencent region name.`,
      {
        hint: 'Use a region such as ap-guangzhou, ap-shanghai or ap-singapore (TENCENTCLOUD_REGION or the region option).',
      },
    )
  }
  return region
}

function createClient(options: TencentProviderOptions, region: string, env: Record<string, string | undefined>) {
  const resolved = resolveTencentEndpoint(options.endpoint ?? env.KMS_SECRETS_ENDPOINT)
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  // For the cloud endpoint the SDK itself only reads `http_proxy`; https_proxy is the usual name for TLS targets.
  const proxy = resolved.agent ? undefined : (env.https_proxy ?? env.HTTPS_PROXY)
  const anyProxy = proxy ?? env.http_proxy ?? env.HTTP_PROXY
  const agent = resolved.agent ?? (anyProxy ? undefined : createWatchedHttpsAgent())
  return new CommonClient(tencentKmsHost, tencentKmsVersion, {
    credential: checkedCredential(options.credential ?? new DefaultCredentialProvider()),
    region,
    profile: {
      httpProfile: {
        endpoint: resolved.endpoint,
        protocol: resolved.protocol,
        reqTimeout: timeoutMs / 1000,
        ...(agent ? { agent } : {}),
        ...(proxy ? { proxy } : {}),
      },
    },
  })
}

function callSignal(opts: CallOptions | undefined, watch: CallWatch) {
  const timer = opts?.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs)
  const signals = [opts?.signal, timer, watch.controller.signal].filter((s): s is AbortSignal => s !== undefined)
  return { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals), timer }
}

/** The Tencent SDK client plus error mapping; shared by the KMS provider and the admin wrappers. */
export function createTencentTransport(options: TencentProviderOptions = {}): TencentTransport {
  const env = options.env ?? process.env
  const region = resolveRegion(options, env)
  const client = createClient(options, region, env)
  return {
    region,
    async call(action, params, opts) {
      const watch: CallWatch = { settled: false, controller: new AbortController() }
      const { signal, timer } = callSignal(opts, watch)
      try {
        return await callWatch.run(watch, () => client.request(action, params, { signal }))
      } catch (e) {
        throw mapTencentError(e, {
          action,
          keyId: opts?.keyId,
          timedOut: timer?.aborted === true,
          aborted: opts?.signal?.aborted === true,
          secrets: opts?.secrets ?? [],
        })
      } finally {
        watch.settled = true
      }
    },
  }
}
