/**
 * Child process of benchmark 2: what `count` AES-256-GCM opens of a ~170-byte value cost by themselves, awaited one
 * after another through WebCrypto (what the runtime does: a libuv thread-pool job per call) vs node:crypto's
 * synchronous createDecipheriv. Random key and data, nothing secret. Prints {webcrypto, nodeCrypto}: medians of
 * 7 reps, in ms. argv[2]: count.
 */
import { createCipheriv, createDecipheriv, randomBytes, webcrypto } from 'node:crypto'
import { median } from '../lib/stats.mjs'

const count = Number(process.argv[2])
const raw = randomBytes(32)
const key = await webcrypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt'])
const iv = randomBytes(12)
const aad = Buffer.from(JSON.stringify({ v: 1, alg: 'AES-256-GCM', mode: 'envelope', id: 's001.secret.json' }))
const cipher = createCipheriv('aes-256-gcm', raw, iv).setAAD(aad)
const data = Buffer.concat([cipher.update(randomBytes(170)), cipher.final()])
const tag = cipher.getAuthTag()
const sealed = Buffer.concat([data, tag])

const web = []
const sync = []
for (let r = 0; r < 7; r++) {
  let t = performance.now()
  for (let i = 0; i < count; i++) {
    await webcrypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, sealed)
  }
  web.push(performance.now() - t)
  t = performance.now()
  for (let i = 0; i < count; i++) {
    const d = createDecipheriv('aes-256-gcm', raw, iv).setAAD(aad).setAuthTag(tag)
    Buffer.concat([d.update(data), d.final()])
  }
  sync.push(performance.now() - t)
}
console.log(JSON.stringify({ webcrypto: median(web), nodeCrypto: median(sync) }))
