import { openTunnel, type ProxyTarget } from './proxy.js'

/** An HTTP answer: status and the body as text. */
export interface Answer {
  status: number
  text: string
}

type Headers = Record<string, string>

/**
 * Node: node:http(s), loaded from `process.getBuiltinModule` (no module-scope import). Node's global `fetch` costs
 * ~35 ms of lazy loading (undici) on its first call, which would be most of a start's overhead. A fresh connection
 * (no agent): one call per process; through a CONNECT tunnel when a proxy is given. A response cut short rejects
 * (`complete` is false on close).
 */
async function nodePost(url: URL, headers: Headers, body: Uint8Array, o: PostOptions): Promise<Answer> {
  const { request } = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http')
  const tunnel = o.proxy ? await openTunnel(o.proxy, url, o.signal) : undefined
  return new Promise((resolve, reject) => {
    // Without an agent node takes port 80 as the default: the Host header would read `kms.tencentcloudapi.com:80`.
    const connection = tunnel ? { createConnection: () => tunnel, defaultPort: 443 } : { agent: false }
    const options = { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, ...connection }
    const req = request(url, { ...options, ...(o.signal ? { signal: o.signal } : {}) }, (res) => {
      const chunks: Uint8Array[] = []
      res.on('data', (c: Uint8Array) => chunks.push(c))
      res.on('error', reject)
      res.on('close', () => {
        if (!res.complete) return reject(new Error('closed early'))
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Bun, Deno, workerd: their `fetch`, which applies the host's own proxy settings (README). */
async function fetchPost(url: URL, headers: Headers, body: Uint8Array, o: PostOptions) {
  const res = await fetch(url, { method: 'POST', headers, body, signal: o.signal ?? null, redirect: 'error' })
  return { status: res.status, text: await res.text() }
}

/** Node, not Bun or Deno (which also have `process.getBuiltinModule`). */
export const onNode: boolean =
  typeof globalThis.process?.getBuiltinModule === 'function' &&
  globalThis.process.versions?.bun === undefined &&
  !('Deno' in globalThis)

export interface PostOptions {
  signal?: AbortSignal | undefined
  /** Node only: tunnel through this proxy (resolveProxy). */
  proxy?: ProxyTarget | undefined
}

/** POST `body`; rejects on any transport failure (the caller maps it, never quoting the body). */
export function post(url: URL, headers: Headers, body: Uint8Array, o: PostOptions = {}): Promise<Answer> {
  return (onNode ? nodePost : fetchPost)(url, headers, body, o)
}
