/** An HTTP answer: status and the body as text. */
export interface Answer {
  status: number
  text: string
}

type Headers = Record<string, string>

/**
 * Node: node:http(s), loaded from `process.getBuiltinModule` (no module-scope import). Node's global `fetch` costs
 * ~35 ms of lazy loading (undici) on its first call, which would be most of a start's overhead. A fresh connection
 * (no agent): one call per process. A response cut short rejects (`complete` is false on close).
 */
function nodePost(url: URL, headers: Headers, body: Uint8Array, signal: AbortSignal | undefined): Promise<Answer> {
  const { request } = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http')
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false }
    const req = request(url, { ...options, ...(signal ? { signal } : {}) }, (res) => {
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

async function fetchPost(url: URL, headers: Headers, body: Uint8Array, signal: AbortSignal | undefined) {
  const res = await fetch(url, { method: 'POST', headers, body, signal: signal ?? null, redirect: 'error' })
  return { status: res.status, text: await res.text() }
}

const onNode =
  typeof globalThis.process?.getBuiltinModule === 'function' &&
  globalThis.process.versions?.bun === undefined &&
  !('Deno' in globalThis)

/** POST `body`; rejects on any transport failure (the caller maps it, never quoting the body). */
export function post(url: URL, headers: Headers, body: Uint8Array, signal?: AbortSignal): Promise<Answer> {
  return (onNode ? nodePost : fetchPost)(url, headers, body, signal)
}
