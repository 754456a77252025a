import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import json from '@rollup/plugin-json'
import { type Plugin, rollup } from 'rollup'
import { build as vite7Build, createServer as vite7Server } from 'vite7'
import { describe, expect, it } from 'vitest'
import { fromVirtualSecretId, toVirtualSecretId } from '../src/core/virtual-id'
import kmsRollup from '../src/rollup'
import kmsVite from '../src/vite'
import { type App, createApp, expectNoPlaintext } from './helpers/app'

/** Like nitro's `raw()`: resolves `.txt` imports to `\0raw:<path>` and inlines the file's bytes. */
function rawTxt(): Plugin {
  return {
    name: 'raw-txt',
    async resolveId(id, importer) {
      if (id.startsWith('\0') || !id.endsWith('.txt')) return null
      const resolved = await this.resolve(id, importer, { skipSelf: true })
      return resolved ? `\0raw:${resolved.id}` : null
    },
    async load(id) {
      if (!id.startsWith('\0raw:')) return null
      return `export default ${JSON.stringify(await readFile(id.slice(5), 'utf8'))}`
    },
  }
}

/** The tiny app plus a YAML list and a JSON array secret (any top-level JSON value, as a JSON import). */
function appWithAllFormats(): App {
  return createApp({
    'src/config/replicas.secret.json': '[{"host":"replica-a","password":"canary-db-password-7f3a"}]\n',
    'src/config/list.secret.yaml': '- canary-dashed-key-91c2\n',
    'src/extra.js':
      "import replicas from './config/replicas.secret.json'\nimport list from './config/list.secret.yaml'\nexport const n = [replicas.length, list.length]\n",
    'src/entry.js': "export * from './server.js'\nexport * from './extra.js'\n",
  })
}

const external = ['@kms-secrets/runtime']

describe('no other plugin parses or inlines a secret file', () => {
  it('the virtual id round-trips and matches no JSON/text pattern', () => {
    const id = toVirtualSecretId('/app/config/db.secret.json')
    expect(fromVirtualSecretId(id)).toBe('/app/config/db.secret.json')
    expect(/\.json(?:$|\?)(?!commonjs-(?:proxy|external))/.test(id)).toBe(false)
    expect(id.endsWith('.json') || id.endsWith('.txt')).toBe(false)
  })

  it('rollup with @rollup/plugin-json and a raw() .txt plugin after ours: sealed output, no plaintext', async () => {
    const app = appWithAllFormats()
    const plugins = [kmsRollup(app.plugin), json(), rawTxt()]
    const bundle = await rollup({ input: join(app.root, 'src/entry.js'), external, plugins })
    await bundle.write({ dir: app.out, format: 'es', sourcemap: true })
    await bundle.close()
    const text = expectNoPlaintext(app.out)
    for (const id of ['db.secret.json', 'token.secret.txt', 'replicas.secret.json', 'list.secret.yaml']) {
      expect(text).toContain(`"id":"${id}"`)
    }
  })

  it('vite 7 SSR build (its own vite:json runs on .json ids): sealed output, no plaintext', async () => {
    const app = appWithAllFormats()
    await vite7Build({
      root: app.root,
      configFile: false,
      logLevel: 'silent',
      plugins: [kmsVite(app.plugin) as never],
      build: {
        ssr: 'src/entry.js',
        outDir: app.out,
        sourcemap: true,
        minify: false,
        rollupOptions: { external, output: { format: 'es' } },
      },
    })
    const text = expectNoPlaintext(app.out)
    expect(text).toContain('await openSecret(')
    // vite 7 prints the envelope object literal with spaces.
    expect(text).toMatch(/"id": ?"replicas\.secret\.json"/)
    expect(text).toMatch(/"id": ?"list\.secret\.yaml"/)
  })

  it('vite 7 dev server: SSR gets the sealed module of a .json secret, not vite:json’s parse of it', async () => {
    const app = appWithAllFormats()
    const server = await vite7Server({
      root: app.root,
      configFile: false,
      logLevel: 'silent',
      plugins: [kmsVite(app.plugin) as never],
      server: { middlewareMode: true, ws: false },
    })
    try {
      for (const url of ['/src/config/replicas.secret.json', '/src/config/db.secret.json']) {
        const result = await server.environments.ssr.transformRequest(url)
        expect(result?.code).toContain('openSecret')
        expect(result?.code).not.toContain('canary')
      }
    } finally {
      await server.close()
    }
  })
})
