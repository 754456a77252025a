import { KmsSecretsError } from '@kms-secrets/core/errors'
import {
  type AsymmetricRsaDecryptRequest,
  type AsymmetricSm2DecryptRequest,
  type CallOptions,
  type DecryptRequest,
  type DecryptResult,
  fromBase64Strict,
} from '@kms-secrets/core/open'
import type { CredentialSource } from '../credentials/chain.js'
import type { TunnelOpener } from '../credentials/cloud-addon.js'
import type { Env } from '../credentials/types.js'
import { resolveEndpoint } from './endpoint.js'
import { onNode, type PostOptions, post } from './http-post.js'
import { apiError, transportError } from './kms-error.js'
import { proxyVar, tunnelFor } from './proxy.js'
import { signTc3 } from './tc3.js'

/**
 * The KMS calls the runtime makes: Decrypt, and for a project key wrapped by an asymmetric CMK (FORMAT.md §10.4) one
 * of the asymmetric decrypts (optional for custom providers; a missing one fails with ERR_KMS_CONFIG).
 */
export interface DecryptProvider {
  decrypt(req: DecryptRequest, opts?: CallOptions): Promise<DecryptResult>
  asymmetricRsaDecrypt?(req: AsymmetricRsaDecryptRequest, opts?: CallOptions): Promise<DecryptResult>
  asymmetricSm2Decrypt?(req: AsymmetricSm2DecryptRequest, opts?: CallOptions): Promise<DecryptResult>
}

export interface TencentDecryptOptions {
  region: string
  /** Full URL override (KMS_SECRETS_ENDPOINT); undefined/'' → https://kms.tencentcloudapi.com/. */
  endpoint: string | undefined
  credentials: CredentialSource
  /** Where proxy variables are read (https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY, NO_PROXY). */
  env: Env
}

/** Any KMS action whose answer is `{ KeyId, Plaintext (base64), RequestId }`, signed and sent as Decrypt is. */
export type KmsCall = (action: string, params: object, opts: CallOptions | undefined) => Promise<DecryptResult>

/**
 * Where our Tencent provider keeps its `KmsCall`: mode "project" (`@kms-secrets/runtime/project`,
 * tencent-asymmetric.ts) builds the asymmetric decrypts from it, so bundles without project envelopes carry only
 * Decrypt. A registered symbol, as the project mode is registered on globalThis: the mode of one copy of the runtime
 * serves the providers of every copy. `@1`: the signature above; a change of it takes a new name.
 */
export const kmsCall = Symbol.for('@kms-secrets/runtime/kms-call@1')

// The web build's constant (opener/node-crypto.ts): false in the default build, which leaves workerd's case out.
declare const __KMS_SECRETS_WEB__: boolean | undefined
const web = typeof __KMS_SECRETS_WEB__ !== 'boolean' || __KMS_SECRETS_WEB__

/** Tencent KMS API version (https://cloud.tencent.com/document/api/573). */
const kmsVersion = '2019-01-18'
const regionRE = /^[a-z][a-z0-9-]{1,40}$/
const encoder = new TextEncoder()

async function send(url: URL, headers: Record<string, string>, body: Uint8Array, o: PostOptions, action: string) {
  try {
    return await post(url, headers, body, o)
  } catch (e) {
    // Transport messages name the cause (ECONNREFUSED, "terminated", AbortError), never the body; ours say less,
    // and name a proxy by its variable only (its URL may carry a password).
    if (o.signal?.aborted) throw transportError('ERR_KMS_TIMEOUT', 'timed out', action)
    // Cloudflare Workers (workerd) refuse I/O while a module is evaluated: no retry can help, say what to do instead.
    // The web build only: no other host refuses it.
    if (web && /global scope/i.test(String((e as Error)?.message)))
      throw new KmsSecretsError('ERR_KMS_CONFIG', `KMS ${action} failed: no I/O in global scope on this host.`, {
        hint: 'Open secrets on the first request: createSecretOpener().open(envelope) in fetch (README: Hosts).',
      })
    const via = o.proxy ? ` through the proxy in ${o.proxy.from}` : ''
    // A refused CONNECT (proxy-tunnel.ts, maybe another copy of the runtime): the proxy's status only.
    const status = (e as { connectStatus?: unknown } | undefined)?.connectStatus
    const what = typeof status === 'number' ? `CONNECT answered HTTP ${status}` : 'the connection failed'
    throw transportError('ERR_KMS_NETWORK', what + via, action)
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Parses the answer. A body that is not Tencent JSON is withheld: a parse error would quote key or value bytes. */
function readAnswer(status: number, text: string, action: string): DecryptResult {
  if (status !== 200) {
    throw transportError(
      status === 429 ? 'ERR_KMS_THROTTLED' : status >= 500 ? 'ERR_KMS_UNAVAILABLE' : 'ERR_KMS_REQUEST',
      `HTTP ${status}`,
      action,
    )
  }
  let r: Record<string, unknown> | undefined
  try {
    r = (JSON.parse(text) as { Response?: Record<string, unknown> }).Response
  } catch {
    r = undefined
  }
  if (typeof r !== 'object' || r === null) {
    throw transportError('ERR_KMS_UNAVAILABLE', 'not a Tencent API answer (body withheld)', action)
  }
  const requestId = str(r.RequestId)
  const error = r.Error as { Code?: unknown } | undefined
  if (error !== undefined) throw apiError(str(error?.Code) ?? 'InternalError', requestId, action)
  const plaintext = fromBase64Strict(str(r.Plaintext) ?? '!') // '!': no base64, as a missing Plaintext
  if (plaintext === undefined) {
    throw new KmsSecretsError('ERR_KMS_REQUEST', `KMS ${action} answered without a valid Plaintext.`, {
      hint: 'Check that KMS_SECRETS_ENDPOINT is Tencent KMS or local-kms.',
      requestId,
    })
  }
  return { keyId: str(r.KeyId) ?? '', plaintext, ...(requestId ? { requestId } : {}) }
}

/**
 * KMS Decrypt signed with TC3-HMAC-SHA256 (node:crypto, or WebCrypto in the web build), sent with node:http(s) on
 * Node and `fetch` elsewhere: the request the Tencent SDK sends, without it. On Node, a proxy from the environment is
 * used for the cloud endpoint (CONNECT tunnel), never for a loopback one; elsewhere `fetch` applies the host's own
 * proxy settings. The asymmetric decrypts of a project key come from `kmsCall` when mode "project" is registered
 * (tencent-asymmetric.ts).
 */
export function createTencentDecrypt(o: TencentDecryptOptions): DecryptProvider & { [kmsCall]: KmsCall } {
  /* Precondition: the region is a Tencent region name. */
  if (!regionRE.test(o.region)) {
    throw new KmsSecretsError('ERR_KMS_CONFIG', 'The KMS region is not a Tencent region name.', {
      hint: 'Set TENCENTCLOUD_REGION or the region option, e.g. to ap-guangzhou.',
    })
  }
  const url = resolveEndpoint(o.endpoint)
  // The proxy decision is made here; its tunnel comes from `@kms-secrets/runtime/cloud`, asked on the first call.
  const from = onNode ? proxyVar(url, o.env) : undefined
  let tunnel: Promise<TunnelOpener> | undefined
  // Decrypt and the asymmetric decrypts answer alike: { KeyId, Plaintext (base64), RequestId }.
  const call: KmsCall = async (action, params, opts) => {
    if (from !== undefined) tunnel ??= tunnelFor(from, o.env)
    const proxy = from === undefined ? undefined : { from, open: await tunnel! }
    const c = await o.credentials.get()
    const body = encoder.encode(JSON.stringify(params))
    const timestamp = Math.floor(Date.now() / 1000)
    const contentType = 'application/json'
    const auth = await signTc3({ ...c, service: 'kms', host: url.hostname, timestamp, body, contentType })
    const headers: Record<string, string> = {
      Authorization: auth,
      'Content-Type': contentType,
      'X-TC-Action': action,
      'X-TC-Region': o.region,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Version': kmsVersion,
      'X-TC-RequestClient': 'kms-secrets',
      ...(c.token ? { 'X-TC-Token': c.token } : {}),
    }
    const res = await send(url, headers, body, { signal: opts?.signal, proxy }, action)
    return readAnswer(res.status, res.text, action)
  }
  return {
    decrypt: (req, opts) =>
      call('Decrypt', { CiphertextBlob: req.ciphertextBlob, EncryptionContext: req.encryptionContext }, opts),
    [kmsCall]: call,
  }
}
