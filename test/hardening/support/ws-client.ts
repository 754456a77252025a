import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import type { Socket } from 'node:net'

export interface WsTap {
  /** Every text message received so far. */
  messages: string[]
  close(): void
}

/**
 * A minimal WebSocket client (RFC 6455, receive side only) over a raw HTTP upgrade — node 20 has no WebSocket and `ws`
 * is not a dependency. Server frames are unmasked; text frames are collected, fragments joined.
 */
export function tapWebSocket(url: string, protocol: string): Promise<WsTap> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocol,
      },
    })
    req.on('error', reject)
    req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)))
    req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
      const messages: string[] = []
      let buf = Buffer.alloc(0)
      let fragments: Buffer[] = []
      const feed = (d: Buffer): void => {
        buf = Buffer.concat([buf, d])
        for (;;) {
          if (buf.length < 2) return
          const fin = (buf[0]! & 0x80) !== 0
          const opcode = buf[0]! & 0x0f
          let len = buf[1]! & 0x7f
          let offset = 2
          if (len === 126) {
            if (buf.length < 4) return
            len = buf.readUInt16BE(2)
            offset = 4
          } else if (len === 127) {
            if (buf.length < 10) return
            len = Number(buf.readBigUInt64BE(2))
            offset = 10
          }
          if (buf.length < offset + len) return
          const payload = buf.subarray(offset, offset + len)
          buf = buf.subarray(offset + len)
          if (opcode === 0x1 || opcode === 0x0) fragments.push(Buffer.from(payload))
          if (fin && fragments.length > 0 && (opcode === 0x1 || opcode === 0x0)) {
            messages.push(Buffer.concat(fragments).toString('utf8'))
            fragments = []
          }
        }
      }
      feed(head)
      socket.on('data', feed)
      socket.on('error', () => undefined)
      resolve({ messages, close: () => socket.destroy() })
    })
    req.end()
  })
}
