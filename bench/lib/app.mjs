import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSealer, createTencentProvider, encodeEnvelope, parseSecretFile, sealSecret } from '@kms-secrets/core'
import * as esbuild from 'esbuild'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'

/** An ESM bundle that pulls in CommonJS deps (the Tencent SDK) needs a real `require` (toolchain.md). */
export const requireBanner =
  "import { createRequire as __kmsBenchCreateRequire } from 'node:module'; const require = __kmsBenchCreateRequire(import.meta.url);"

const pad = (i) => String(i).padStart(3, '0')

/** A made-up service config: what a typical `*.secret.json` holds (~170 bytes). */
function fakeSecret(i) {
  return {
    host: `db-${i}.internal.example`,
    port: 5432 + (i % 7),
    user: `svc_${i}`,
    password: randomBytes(18).toString('base64url'),
    apiKey: randomBytes(20).toString('hex'),
  }
}

/** Writes `count` plaintext secret files under `<dir>/secrets/`; returns their paths relative to `dir`. */
export function writeSecretFiles(dir, count) {
  rmSync(join(dir, 'secrets'), { recursive: true, force: true })
  mkdirSync(join(dir, 'secrets'), { recursive: true })
  const files = []
  for (let i = 0; i < count; i++) {
    const file = `secrets/s${pad(i)}.secret.json`
    writeFileSync(join(dir, file), `${JSON.stringify(fakeSecret(i), null, 2)}\n`)
    files.push(file)
  }
  return files
}

/**
 * The app's entry: imports every secret file and prints, as its first output, ms since process start
 * (`performance.now()` counts from the process's time origin) when the values are usable. Prints no value: only the
 * count and whether each one has the expected shape.
 */
export function writeEntry(dir, files, name = 'entry.mjs') {
  const imports = files.map((f, i) => `import s${i} from './${f}'`)
  const body = [
    `const all = [${files.map((_, i) => `s${i}`).join(', ')}]`,
    'const t = performance.now()',
    "const ok = all.every((v) => typeof v.password === 'string' && v.password.length === 24)",
    'console.log(JSON.stringify({ t, n: all.length, ok }))',
  ]
  writeFileSync(join(dir, name), `${[...imports, ...body].join('\n')}\n`)
  return name
}

/** SOPS-style: every file sealed on its own, with its own data key (one GenerateDataKey per file). */
export async function sealEachFile(dir, files, { endpoint, keyId, credential }) {
  const provider = createTencentProvider({ endpoint, credential, region: 'ap-guangzhou' })
  for (const file of files) {
    const { payload, shape } = parseSecretFile(readFileSync(join(dir, file), 'utf8'), 'json', file)
    const id = file.slice(file.lastIndexOf('/') + 1)
    const envelope = await sealSecret({ provider, keyId, id, format: 'json', payload, shape })
    payload.fill(0)
    writeFileSync(join(dir, file), encodeEnvelope(envelope))
  }
}

/** What `kms-secrets encrypt` does for a set of files: one sealer, one data key, every file sealed in place. */
export async function sealFilesTogether(dir, files, { endpoint, keyId, credential }) {
  const provider = createTencentProvider({ endpoint, credential, region: 'ap-guangzhou' })
  const sealer = createSealer({ provider, keyId })
  try {
    for (const file of files) {
      const { payload, shape } = parseSecretFile(readFileSync(join(dir, file), 'utf8'), 'json', file)
      const id = file.slice(file.lastIndexOf('/') + 1)
      const envelope = await sealer.seal({ id, format: 'json', payload, shape })
      payload.fill(0)
      writeFileSync(join(dir, file), encodeEnvelope(envelope))
    }
  } finally {
    sealer.dispose()
  }
}

/**
 * Bundles `<dir>/<entry>` with esbuild into one ESM file for node (dependencies included, as a deployed server
 * bundle). `plugin`: unplugin-kms-secrets options, or false for the plain-JSON build.
 */
export async function buildWithEsbuild(
  dir,
  entry,
  outfile,
  { plugin = false, minify = false, external = [], sourcemap = false, conditions } = {},
) {
  const result = await esbuild.build({
    entryPoints: [join(dir, entry)],
    absWorkingDir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    minify,
    sourcemap,
    external,
    ...(conditions ? { conditions } : {}),
    metafile: true,
    logLevel: 'silent',
    banner: { js: requireBanner },
    plugins: plugin ? [kmsEsbuild({ dts: false, ...plugin })] : [],
  })
  return result.metafile
}
