import type { TunnelOpener } from '../credentials/cloud-addon.js'
import { rawPost, requestHead } from './raw-http.js'

/** An HTTP answer: status and the body as text. */
export interface Answer {
  status: number
  text: string
}

type Headers = Record<string, string>

/** Node, not Bun or Deno (which also have `process.getBuiltinModule`). */
export const onNode: boolean =
  typeof globalThis.process?.getBuiltinModule === 'function' &&
  globalThis.process.versions?.bun === undefined &&
  !('Deno' in globalThis)

export interface PostOptions {
  signal?: AbortSignal | undefined
  /** Node only: tunnel through the proxy named by variable `from` (proxy.ts, the add-on's tunnel). */
  proxy?: { from: string; open: TunnelOpener } | undefined
}

/**
 * POST `body`; rejects on any transport failure (the caller maps it, never quoting the body).
 *
 * Node: one POST over a new connection with our own HTTP/1.1 request and response reading (raw-http.ts): node's
 * global `fetch` costs ~35 ms of lazy loading (undici) on its first call and node:http's client ~5 ms, most of a
 * start's overhead for one call per process. Through a CONNECT tunnel when a proxy is given. A response cut short
 * rejects. Bun, Deno, workerd: their `fetch`, which applies the host's own proxy settings (README).
 */
export async function post(url: URL, headers: Headers, body: Uint8Array, o: PostOptions = {}): Promise<Answer> {
  if (onNode) {
    const head = requestHead(url, headers, body.length)
    return rawPost(url, head, body, o.signal, o.proxy ? await o.proxy.open(url, o.signal) : undefined)
  }
  const res = await fetch(url, { method: 'POST', headers, body, signal: o.signal ?? null, redirect: 'error' })
  return { status: res.status, text: await res.text() }
}
