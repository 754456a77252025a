import { createHash, createHmac } from 'node:crypto'
import http from 'node:http'

/**
 * A minimal Tencent Cloud API 3.0 client: TC3-HMAC-SHA256 signed POSTs over a keep-alive agent, no SDK. Used by the
 * throughput benchmark as the "raw signed requests" transport, to tell the server's limit from the SDK client's.
 * Signs exactly as production (service `kms`, host `kms.tencentcloudapi.com`), dials 127.0.0.1:<port>.
 */
export function createRawClient({
  port,
  secretId,
  secretKey,
  region = 'ap-guangzhou',
  maxSockets = 256,
  keepAlive = true,
}) {
  // keepAlive false: a new TCP connection per request, as the runtime makes its one Decrypt.
  const agent = new http.Agent({ keepAlive, maxSockets })
  const host = 'kms.tencentcloudapi.com'
  const sha256 = (s) => createHash('sha256').update(s).digest('hex')
  const hmac = (k, s) => createHmac('sha256', k).update(s).digest()
  let signingDate = ''
  let signingKey
  const keyFor = (date) => {
    if (date !== signingDate) {
      signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), 'kms'), 'tc3_request')
      signingDate = date
    }
    return signingKey
  }

  function sign(body, timestamp) {
    const date = new Date(timestamp * 1000).toISOString().slice(0, 10)
    const canonical = [
      'POST',
      '/',
      '',
      `content-type:application/json\nhost:${host}\n`,
      'content-type;host',
      sha256(body),
    ]
    const scope = `${date}/kms/tc3_request`
    const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonical.join('\n'))].join('\n')
    const signature = createHmac('sha256', keyFor(date)).update(toSign).digest('hex')
    return `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`
  }

  function request(action, params) {
    const body = JSON.stringify(params)
    const timestamp = Math.floor(Date.now() / 1000)
    const headers = {
      'Content-Type': 'application/json',
      Host: `${host}:${port}`,
      Authorization: sign(body, timestamp),
      'X-TC-Action': action,
      'X-TC-Version': '2019-01-18',
      'X-TC-Region': region,
      'X-TC-Timestamp': String(timestamp),
      'Content-Length': Buffer.byteLength(body),
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent }, (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          try {
            const out = JSON.parse(Buffer.concat(chunks).toString('utf8')).Response
            if (out?.Error) reject(Object.assign(new Error(out.Error.Code), { code: out.Error.Code }))
            else resolve(out)
          } catch (e) {
            reject(e)
          }
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  return { request, close: () => agent.destroy() }
}
