/**
 * Child process of benchmark 2: the "cold round trip" floor — a plain app that, in a fresh process, makes the same one
 * signed Decrypt the runtime makes and has its value. From its first line (after node's bootstrap, which the plain
 * JSON app pays too) it loads `node:crypto` and `node:net`, signs with TC3-HMAC-SHA256 (service kms, as production),
 * connects to local-kms over a new TCP connection, writes one HTTP/1.1 POST (`Connection: close`, as the runtime)
 * and reads the answer to its end, parses it and decodes the plaintext. No SDK, no retry, no validation: the least a
 * cold process must do for one KMS value. Prints {ok, cold}: ok when the value is the 32-byte data key, cold = ms
 * from the first line to the decoded value (the value itself is never printed).
 * argv[2]: JSON {port, secretId, secretKey, CiphertextBlob, EncryptionContext}.
 */
const t0 = performance.now()
const { createHash, createHmac } = await import('node:crypto')
const { connect } = await import('node:net')

const { port, secretId, secretKey, CiphertextBlob, EncryptionContext } = JSON.parse(process.argv[2])
const host = 'kms.tencentcloudapi.com'
const body = JSON.stringify({ CiphertextBlob, EncryptionContext })
const timestamp = Math.floor(Date.now() / 1000)
const date = new Date(timestamp * 1000).toISOString().slice(0, 10)
const sha256 = (s) => createHash('sha256').update(s).digest('hex')
const hmac = (k, s) => createHmac('sha256', k).update(s).digest()
const canonical = ['POST', '/', '', `content-type:application/json\nhost:${host}\n`, 'content-type;host', sha256(body)]
const scope = `${date}/kms/tc3_request`
const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonical.join('\n'))].join('\n')
const key = hmac(hmac(hmac(`TC3${secretKey}`, date), 'kms'), 'tc3_request')
const signature = createHmac('sha256', key).update(toSign).digest('hex')
const head = [
  'POST / HTTP/1.1',
  `Host: ${host}:${port}`,
  'Content-Type: application/json',
  `Authorization: TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
  'X-TC-Action: Decrypt',
  'X-TC-Version: 2019-01-18',
  'X-TC-Region: ap-guangzhou',
  `X-TC-Timestamp: ${timestamp}`,
  `Content-Length: ${Buffer.byteLength(body)}`,
  'Connection: close',
]
const raw = await new Promise((resolve, reject) => {
  const chunks = []
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('data', (c) => chunks.push(c))
  socket.on('close', () => resolve(Buffer.concat(chunks)))
  socket.on('error', reject)
  socket.write(`${head.join('\r\n')}\r\n\r\n${body}`)
})
const split = raw.indexOf('\r\n\r\n')
const headers = raw.subarray(0, split).toString('latin1')
let payload = raw.subarray(split + 4)
if (/^transfer-encoding:\s*chunked/im.test(headers)) {
  const parts = []
  for (let at = 0; ; ) {
    const eol = payload.indexOf('\r\n', at)
    const size = Number.parseInt(payload.subarray(at, eol).toString('latin1'), 16)
    if (!size) break
    parts.push(payload.subarray(eol + 2, eol + 2 + size))
    at = eol + 4 + size
  }
  payload = Buffer.concat(parts)
}
const plaintext = Buffer.from(JSON.parse(payload.toString('utf8')).Response.Plaintext, 'base64')
const cold = performance.now() - t0
console.log(JSON.stringify({ ok: plaintext.length === 32, cold }))
plaintext.fill(0)
