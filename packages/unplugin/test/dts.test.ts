import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { secretFormatByExtension, secretFormatOf, secretTypesOf } from '@kms-secrets/core'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { dtsPathFor, renderSecretTypes, writeIfChangedSync } from '../src/core/dts'
import { tempProject } from './helpers/project'

const all = [
  'db.secret.json',
  'api.secret.yaml',
  'app.secret.env',
  'tls.secret.pem',
  'token.secret.txt',
  'sealed.secret.json',
]

describe('dtsPathFor', () => {
  it.each([
    ['/p/config/db.secret.json', '/p/config/db.secret.d.json.ts'],
    ['/p/api.secret.yaml', '/p/api.secret.d.yaml.ts'],
    ['tls.secret.pem', 'tls.secret.d.pem.ts'],
  ])('%s → %s', (file, dts) => {
    expect(dtsPathFor(file)).toBe(dts)
  })
})

describe('renderSecretTypes', () => {
  it('types an object by its shape, with named exports of its identifier keys', () => {
    // biome-ignore lint/suspicious/noThenProperty: a secret's key named then must not become a named export
    const shape = { object: { host: 'string', port: 'number', 'api-key': 'string', then: 'string' } } as const
    expect(renderSecretTypes({ file: '/p/db.secret.json', format: 'json', shape })).toMatchSnapshot()
  })

  it('types text formats as string and shapeless envelopes as a record', () => {
    expect(renderSecretTypes({ file: 'x.secret.pem', format: 'text', shape: 'string' })).toContain(
      'declare const secret: string',
    )
    expect(renderSecretTypes({ file: 'x.secret.json', format: 'json' })).toContain('Readonly<Record<string, unknown>>')
  })
})

/**
 * Writes each file's declaration as the plugin does: its types read by core's secretTypesOf (the same reader as
 * `kms-secrets types`), rendered, and written only when changed. True per file when written.
 */
function writeDeclarations(files: readonly string[], root: string): boolean[] {
  return files.map((file) => {
    const abs = join(root, file)
    const types = secretTypesOf(readFileSync(abs, 'utf8'), abs, (f) => secretFormatOf(f, f))
    return writeIfChangedSync(dtsPathFor(abs), renderSecretTypes(types))
  })
}

describe('declaration files', () => {
  it('one declaration per secret file (sealed or plaintext), no value in it; only what changed is rewritten', () => {
    const root = tempProject(all)
    expect(writeDeclarations(all, root)).toEqual(all.map(() => true))
    expect(readFileSync(join(root, 'sealed.secret.d.json.ts'), 'utf8')).toContain('export declare const apiKey: string')
    for (const f of all) expect(readFileSync(join(root, dtsPathFor(f)), 'utf8')).not.toContain('canary')
    expect(writeDeclarations(all, root)).toEqual(all.map(() => false))
    writeFileSync(join(root, 'token.secret.d.txt.ts'), 'stale')
    expect(writeDeclarations(all, root).flatMap((w, i) => (w ? [all[i]] : []))).toEqual(['token.secret.txt'])
    expect(readFileSync(join(root, 'token.secret.d.txt.ts'), 'utf8')).not.toBe('stale')
  })
})

/** TypeScript's own lib files, parsed once for all programs of this file (they never change). */
const libFiles = new Map<string, ts.SourceFile | undefined>()

/**
 * Type-checks `main.ts` in `root` with tsc; returns the diagnostics as text. Lib es2022 without DOM (the default lib
 * includes DOM, most of tsc's time here, and types nothing the test uses); the project's own files are read fresh.
 */
function typecheck(root: string, options: ts.CompilerOptions): string[] {
  const all = { strict: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts'], ...options }
  const host = ts.createCompilerHost(all)
  const libDir = host.getDefaultLibLocation?.() ?? ''
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (file, version, ...rest) => {
    if (!libDir || !file.startsWith(libDir)) return read(file, version, ...rest)
    const key = `${file}:${JSON.stringify(version)}`
    if (!libFiles.has(key)) libFiles.set(key, read(file, version, ...rest))
    return libFiles.get(key)
  }
  const program = ts.createProgram([join(root, 'main.ts')], all, host)
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('typed imports with tsc', () => {
  const main = `
import db, { host, port } from './db.secret.json'
import sealed, { apiKey } from './sealed.secret.json'
import api from './api.secret.yaml'
import env from './app.secret.env'
import pem from './tls.secret.pem'
const h: string = host + db.user + db.replicas[0]
const p: number = port + db.pool.max + api.retries
const k: string = apiKey + sealed.region + env.SESSION_SECRET + pem.trim()
// @ts-expect-error: not a key of db.secret.json
db.nope
// @ts-expect-error: port is a number
const wrong: string = db.port
// @ts-expect-error: the value is read-only
db.host = 'x'
export { h, p, k, wrong }
`

  it('moduleResolution Bundler + resolveJsonModule + allowArbitraryExtensions: the .d.<ext>.ts wins', async () => {
    const root = tempProject(all)
    writeFileSync(join(root, 'main.ts'), main)
    writeDeclarations(all, root)
    const options = {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      resolveJsonModule: true,
      allowArbitraryExtensions: true,
    }
    expect(typecheck(root, options)).toEqual([])
  })

  it("NodeNext ESM: types apply too, but tsc keeps node's JSON rules for .json (default import with type: 'json')", async () => {
    const root = tempProject(all)
    const nodeMain = main
      .replace(
        "import db, { host, port } from './db.secret.json'",
        "import db from './db.secret.json' with { type: 'json' }",
      )
      .replace(
        "import sealed, { apiKey } from './sealed.secret.json'",
        "import sealed from './sealed.secret.json' with { type: 'json' }",
      )
      .replace('host + db.user', 'db.host + db.user')
      .replace('port + db.pool.max', 'db.port + db.pool.max')
      .replace('apiKey + sealed.region', 'sealed.apiKey + sealed.region')
    writeFileSync(join(root, 'main.ts'), nodeMain)
    writeFileSync(join(root, 'package.json'), '{"type":"module"}')
    writeDeclarations(all, root)
    const options = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      resolveJsonModule: true,
      allowArbitraryExtensions: true,
    }
    expect(typecheck(root, options)).toEqual([])
  })

  it('without allowArbitraryExtensions tsc says which flag to set', async () => {
    const root = tempProject(all)
    writeFileSync(join(root, 'main.ts'), main)
    writeDeclarations(all, root)
    const errors = typecheck(root, { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler })
    expect(errors.some((e) => e.includes('allowArbitraryExtensions'))).toBe(true)
  })
})

describe('src/types.ts (the ambient fallback types)', () => {
  it("declares one module per extension of core's list, typed by the extension's format", () => {
    const text = readFileSync(join(import.meta.dirname, '../src/types.ts'), 'utf8')
    const declared = [...text.matchAll(/declare module '\*\.secret\.(\w+)' \{\n\s+const secret: (\w+)/g)]
    const typeOf = {
      json: 'KmsSecretsObjectFile',
      yaml: 'KmsSecretsObjectFile',
      env: 'KmsSecretsEnvFile',
      text: 'KmsSecretsTextFile',
    }
    expect(Object.fromEntries(declared.map((m) => [m[1], m[2]]))).toEqual(
      Object.fromEntries(Object.entries(secretFormatByExtension).map(([ext, format]) => [ext, typeOf[format]])),
    )
  })
})
