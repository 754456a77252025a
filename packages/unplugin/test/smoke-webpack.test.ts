import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { rspack } from '@rspack/core'
import { describe, expect, it } from 'vitest'
import webpack from 'webpack'
import kmsRspack from '../src/rspack'
import kmsWebpack from '../src/webpack'
import { canaries, createApp, expectNoPlaintext } from './helpers/app'

type Run = (app: ReturnType<typeof createApp>, extra?: Record<string, unknown>) => Promise<string[]>

/** Runs a webpack-API compiler; resolves with the compilation's error messages (empty on success). */
function runner(factory: (config: never) => unknown, plugin: (o: object) => unknown): Run {
  return (app, extra = {}) => {
    const compiler = factory({
      mode: 'production',
      context: app.root,
      target: 'node',
      entry: './src/server.js',
      devtool: 'source-map',
      output: { path: app.out, filename: 'server.js', library: { type: 'commonjs2' } },
      externals: { '@kms-secrets/runtime': 'commonjs @kms-secrets/runtime' },
      optimization: { minimize: false },
      plugins: [plugin(app.plugin)],
      ...extra,
    } as never) as {
      run(cb: (err: Error | null, stats?: { toJson(o: object): { errors?: { message: string }[] } }) => void): void
      close(cb: () => void): void
    }
    // A fatal error (rspack's deferred client guard) counts as a compilation error too.
    return new Promise((resolve) => {
      compiler.run((err, stats) => {
        compiler.close(() => {})
        if (err) resolve([err.message])
        else resolve((stats?.toJson({ errors: true }).errors ?? []).map((e) => e.message))
      })
    })
  }
}

const runs: [string, Run][] = [
  ['webpack', runner(webpack as never, kmsWebpack as never)],
  ['rspack', runner(rspack as never, kmsRspack as never)],
]

describe.each(runs)('%s', (_, run) => {
  it('target node, commonjs2: top-level await through the async-module runtime, no plaintext', async () => {
    const app = createApp()
    expect(await run(app)).toEqual([])
    expect(expectNoPlaintext(app.out)).toContain('openSecret')
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })

  it('target web: ERR_PLUGIN_CLIENT_BUNDLE', async () => {
    const app = createApp()
    const errors = (await run(app, { target: 'web' })).join('\n')
    expect(errors).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    expect(errors).toMatch(/src\/server\.js → (src\/db\.js → )?src\/config\//)
    expect(existsSync(join(app.out, 'server.js'))).toBe(false)
    expect(app.kms.calls).toEqual([])
  })

  it('leak check at the REPORT stage: compilation error and the leaking asset is not emitted', async () => {
    const app = createApp({
      'src/server.js': `import { db } from './db.js'\nexport const oops = ['${canaries[0]}', db]\n`,
    })
    const errors = (await run(app)).join('\n')
    expect(errors).toContain('ERR_PLUGIN_LEAK')
    expect(errors).toContain('$.password')
    expect(errors).not.toContain(canaries[0])
    expect(existsSync(join(app.out, 'server.js'))).toBe(false)
  })
})
