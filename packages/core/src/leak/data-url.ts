import { Buffer } from 'node:buffer'

/**
 * `data:[<media type>][;param=value]*[;base64],<data>` (RFC 2397) as it appears in JS/CSS/HTML/JSON output: the data
 * runs until a quote, whitespace, `)` or `<`, which never occur unescaped in a URL. Any media type, or none.
 */
const dataUrlRE = /data:(?:[\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+(?:=[^;,"'`\s)<>]*)?)*),([^"'`\s)<>\\]*)/gi

/** Base64 and base64url alphabet, padding optional (bundlers inline both). */
const base64RE = /^[A-Za-z0-9+/_-]*={0,2}$/

/** The decoded bytes of one data URL's payload, or undefined when it does not decode. */
function decodePayload(params: string, data: string): Buffer | undefined {
  if (/;base64(?:;|$)/i.test(params)) {
    const compact = data.replace(/%3D/gi, '=')
    return base64RE.test(compact) ? Buffer.from(compact, 'base64') : undefined
  }
  try {
    return Buffer.from(decodeURIComponent(data), 'utf8')
  } catch {
    // A stray `%` (vite's SVG inlining leaves most characters raw): decode what can be decoded.
    return Buffer.from(
      data.replace(/(?:%[0-9a-f]{2})+/gi, (m) => decodeURIComponent(m)),
      'utf8',
    )
  }
}

/**
 * The decoded payload of every `data:` URL in `text` (a bundle, a stylesheet, a source map): an inlined asset's
 * bytes are base64 or percent-encoded there, so a value hidden inside one is searched for in its decoded form too.
 */
export function dataUrlPayloads(text: string): Buffer[] {
  const out: Buffer[] = []
  if (!/data:/i.test(text)) return out
  for (const m of text.matchAll(dataUrlRE)) {
    const payload = decodePayload(m[1] ?? '', m[2] ?? '')
    if (payload !== undefined && payload.length > 0) out.push(payload)
  }
  return out
}
