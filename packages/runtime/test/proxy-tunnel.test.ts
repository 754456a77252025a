import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect, createServer as createNetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadEsbuild } from './support/esbuild.js'
import { canary, sealOne } from './support/seal.js'
import { startTencentServer, type TencentServer } from './support/tencent-server.js'

/**
 * The runtime's CONNECT tunnel, end to end and on 127.0.0.1 only. A child process runs the runtime (bundled from
 * src) with the default endpoint https://kms.tencentcloudapi.com and a proxy variable; the local proxy records the
 * CONNECT target and pipes every tunnel to a local HTTPS KMS whose test certificate (made here by openssl, for
 * kms.tencentcloudapi.com, localhost and 127.0.0.1) the child trusts through NODE_EXTRA_CA_CERTS. A guard loaded
 * in the child refuses every DNS lookup of a non-loopback name, so a request that skipped the proxy fails there
 * (and says so on stderr) instead of reaching Tencent. The tunnel is `@kms-secrets/runtime/cloud`: the child's runtime
 * bundle inlines it (as the plugin's `cloud: true` does), except in the add-on-missing cases, whose bundle has the
 * lean runtime alone in a directory without node_modules.
 */

const esbuild = loadEsbuild()
const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const guard = `import dns from 'node:dns'
const lookup = dns.lookup
dns.lookup = function (host, ...rest) {
  if (host === 'localhost' || /^127\\./.test(host)) return lookup.call(this, host, ...rest)
  process.stderr.write('guard: refused lookup of ' + host + '\\n')
  process.nextTick(rest.at(-1), Object.assign(new Error('refused by the test guard'), { code: 'ENOTFOUND' }))
}
`

/** A guard that resolves the KMS host to 127.0.0.1 instead: a direct connection would reach a local counter. */
const directGuard = `import dns from 'node:dns'
const lookup = dns.lookup
dns.lookup = function (host, ...rest) {
  return lookup.call(this, host === 'kms.tencentcloudapi.com' ? '127.0.0.1' : host, ...rest)
}
`

const child = (runtime: string) => `import { createSecretOpener } from ${JSON.stringify(runtime)}
const opener = createSecretOpener({ retry: { maxAttempts: 1 }, timeoutMs: 5000 })
try {
  const value = await opener.open(JSON.parse(process.env.TEST_ENVELOPE), { file: 'db.secret.json' })
  console.log(JSON.stringify({ ok: true, value }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, hint: e.hint }))
}
`

interface Connect {
  target: string | undefined
  auth: string | undefined
}

/** An HTTP proxy that answers CONNECT to any host by piping to 127.0.0.1:`upstream`; 407 without `auth`. */
async function startProxy(upstream: () => number, auth: string) {
  const connects: Connect[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client)
    connects.push({ target: req.url, auth: req.headers['proxy-authorization'] })
    if (req.headers['proxy-authorization'] !== auth) {
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n')
    }
    const up = connect(upstream(), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      up.write(head)
      up.pipe(client).on('error', () => {})
      client.pipe(up).on('error', () => {})
    })
    sockets.add(up)
    up.on('error', () => client.destroy())
    client.on('error', () => up.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  const close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    })
  return { port, connects, close }
}

interface ChildResult {
  ok: boolean
  value?: unknown
  code?: string
  message?: string
  hint?: string
  stderr: string
  stdout: string
}

describe.skipIf(esbuild === undefined || !openssl)('proxy from the environment (CONNECT tunnel, Node)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-proxy-'))
  const kms = createFakeKms()
  let server: TencentServer
  let proxy: Awaited<ReturnType<typeof startProxy>>
  let envelope: string
  let value: unknown
  const user = 'proxy-user'
  const password = 'CANARY-proxy-p@ss:w0rd'
  const proxyAuth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

  beforeAll(async () => {
    const cnf = ['-subj', '/CN=kms-secrets proxy test']
    const san = 'subjectAltName=DNS:kms.tencentcloudapi.com,DNS:localhost,IP:127.0.0.1'
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), ...cnf, '-addext', san],
      ],
      { stdio: 'ignore' },
    )
    const tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
    server = await startTencentServer(kms, tls)
    proxy = await startProxy(() => Number(new URL(server.endpoint).port), proxyAuth)
    const src = (f: string) => JSON.stringify(resolve(import.meta.dirname, '../src', f))
    writeFileSync(join(dir, 'with-cloud.mjs'), `import ${src('cloud.ts')}\nexport * from ${src('index.ts')}\n`)
    const bundle = (entry: string, outfile: string) =>
      esbuild!.build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        outfile: join(dir, outfile),
        // Core from source too: the runtime's source and core's dist may differ mid-change.
        conditions: ['source'],
        logLevel: 'silent',
      })
    await bundle(join(dir, 'with-cloud.mjs'), 'runtime.mjs')
    await bundle(resolve(import.meta.dirname, '../src/index.ts'), 'runtime-lean.mjs')
    writeFileSync(join(dir, 'guard.mjs'), guard)
    writeFileSync(join(dir, 'direct-guard.mjs'), directGuard)
    writeFileSync(join(dir, 'child.mjs'), child('./runtime.mjs'))
    writeFileSync(join(dir, 'child-lean.mjs'), child('./runtime-lean.mjs'))
    const [env, v] = await sealOne(kms, 'json')
    envelope = JSON.stringify(env)
    value = v
  })
  afterAll(async () => {
    await proxy?.close()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const proxyUrl = (pw = password) => `http://${user}:${encodeURIComponent(pw)}@127.0.0.1:${proxy.port}`

  function run(env: Record<string, string>, files = { guard: 'guard.mjs', child: 'child.mjs' }): Promise<ChildResult> {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/proxy|^KMS_SECRETS_|^TENCENT/i.test(k)),
    )
    const p = spawn(process.execPath, ['--import', `./${files.guard}`, files.child], {
      cwd: dir,
      env: {
        ...clean,
        NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
        TENCENTCLOUD_SECRET_ID: 'AKIDproxytest',
        TENCENTCLOUD_SECRET_KEY: 'proxy-test-secret-key',
        KMS_SECRETS_METADATA_URL: 'off',
        TEST_ENVELOPE: envelope,
        ...env,
      },
    })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c) => (stdout += c))
    p.stderr.on('data', (c) => (stderr += c))
    return new Promise((r) => p.on('close', () => r({ ...JSON.parse(stdout.trim() || '{}'), stdout, stderr })))
  }

  it.each(['HTTPS_PROXY', 'https_proxy', 'http_proxy'])(
    'the cloud endpoint is reached through %s: CONNECT kms.tencentcloudapi.com:443 with Basic auth, TLS verified',
    async (name) => {
      const before = proxy.connects.length
      const r = await run({ [name]: proxyUrl() })
      expect(r).toMatchObject({ ok: true, value, stderr: '' })
      expect(proxy.connects.slice(before)).toEqual([{ target: 'kms.tencentcloudapi.com:443', auth: proxyAuth }])
      // Signed for the real host, as without a proxy.
      expect(server.requests.at(-1)).toMatchObject({
        action: 'Decrypt',
        host: 'kms.tencentcloudapi.com',
        service: 'kms',
      })
    },
  )

  it.each([
    ['https://localhost', 'localhost'],
    ['https://127.0.0.1', '127.0.0.1'],
  ])('a loopback endpoint (%s:<port>) ignores the proxy and is reached directly', async (base, host) => {
    const before = proxy.connects.length
    const port = new URL(server.endpoint).port
    const r = await run({ HTTPS_PROXY: proxyUrl(), KMS_SECRETS_ENDPOINT: `${base}:${port}` })
    expect(r).toMatchObject({ ok: true, value, stderr: '' })
    expect(proxy.connects.length).toBe(before)
    expect(server.requests.at(-1)).toMatchObject({ host: `${host}:${port}` })
  })

  it('NO_PROXY naming the KMS domain skips the proxy (control: the guard then stops the direct call)', async () => {
    const before = proxy.connects.length
    const r = await run({ HTTPS_PROXY: proxyUrl(), NO_PROXY: 'example.com, .tencentcloudapi.com' })
    expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_NETWORK' })
    expect(r.stderr).toContain('guard: refused lookup of kms.tencentcloudapi.com')
    expect(proxy.connects.length).toBe(before)
  })

  it('a refused CONNECT (407) is ERR_KMS_NETWORK naming the variable, never the proxy password', async () => {
    const r = await run({ HTTPS_PROXY: proxyUrl('wrong-CANARY-pw') })
    expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_NETWORK' })
    expect(r.message).toContain('HTTPS_PROXY')
    expect(r.message).toContain('407')
    for (const leak of ['wrong-CANARY-pw', 'wrong-CANARY', user, canary.password]) {
      expect(r.stdout + r.stderr).not.toContain(leak)
    }
  })

  it('the certificate is verified inside the tunnel: an untrusted one fails with ERR_KMS_NETWORK', async () => {
    const r = await run({ HTTPS_PROXY: proxyUrl(), NODE_EXTRA_CA_CERTS: '' })
    expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_NETWORK' })
    expect(r.message).toContain('through the proxy in HTTPS_PROXY')
    expect(r.stdout + r.stderr).not.toContain(password)
  })

  it('an unsupported proxy scheme is ERR_KMS_CONFIG naming the variable, not its value', async () => {
    const r = await run({ HTTPS_PROXY: `socks5://${user}:${encodeURIComponent(password)}@127.0.0.1:1` })
    expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_CONFIG' })
    expect(r.message).toContain('HTTPS_PROXY')
    expect(r.stdout + r.stderr).not.toContain('CANARY-proxy')
  })

  describe('without the add-on (lean runtime alone, no node_modules to load it from)', () => {
    /** Counts TCP connections to the KMS host's port: where a direct connection would land (directGuard). */
    async function startCounter() {
      let connections = 0
      const server = createNetServer((s) => {
        connections++
        s.destroy()
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as { port: number }).port
      return {
        port,
        get connections() {
          return connections
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      }
    }

    it('a proxy for the endpoint is ERR_KMS_CONFIG saying how to add the tunnel: no CONNECT, no direct connection', async () => {
      const counter = await startCounter()
      try {
        const before = proxy.connects.length
        const r = await run(
          { HTTPS_PROXY: proxyUrl(), KMS_SECRETS_ENDPOINT: `https://kms.tencentcloudapi.com:${counter.port}` },
          { guard: 'direct-guard.mjs', child: 'child-lean.mjs' },
        )
        expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_CONFIG' })
        expect(r.message).toContain('HTTPS_PROXY')
        expect(r.hint).toContain("import '@kms-secrets/runtime/cloud'")
        expect(r.hint).toContain('node_modules/@kms-secrets/runtime')
        expect(counter.connections).toBe(0)
        expect(proxy.connects.length).toBe(before)
        expect(r.stdout + r.stderr).not.toContain(password)
        expect(r.stderr).toBe('')
      } finally {
        await counter.close()
      }
    })

    it('control: with NO_PROXY naming the host it connects directly, and the counter sees that connection', async () => {
      const counter = await startCounter()
      try {
        const r = await run(
          {
            HTTPS_PROXY: proxyUrl(),
            NO_PROXY: '.tencentcloudapi.com',
            KMS_SECRETS_ENDPOINT: `https://kms.tencentcloudapi.com:${counter.port}`,
          },
          { guard: 'direct-guard.mjs', child: 'child-lean.mjs' },
        )
        expect(r).toMatchObject({ ok: false, code: 'ERR_KMS_NETWORK' })
        expect(counter.connections).toBeGreaterThan(0)
      } finally {
        await counter.close()
      }
    })
  })
})
