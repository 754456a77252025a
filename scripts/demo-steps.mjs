// The steps of scripts/demo.mjs: output helpers, building and running the example, scanning, the audit log.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..')

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const bold = paint('1')
const dim = paint('2')
const green = paint('32')

export const step = (n, title) => console.log(`\n${bold(`[${n}] ${title}`)}`)
export const ok = (msg) => console.log(`  ${green('✓')} ${msg}`)
export const note = (msg) => console.log(`    ${dim(msg)}`)
export function fail(message, hint) {
  throw Object.assign(new Error(message), hint ? { hint } : {})
}

/** local-kms and core, from their built dist/ (pnpm demo runs `pnpm build` first). */
export async function loadPackages() {
  const dist = (pkg, file) => join(repoDir, 'packages', pkg, 'dist', file)
  for (const file of [dist('local-kms', 'index.mjs'), dist('core', 'index.mjs')]) {
    if (!existsSync(file)) fail(`${relative(repoDir, file)} is missing`, 'Run `pnpm build` first (`pnpm demo` does).')
  }
  const { startLocalKms } = await import(pathToFileURL(dist('local-kms', 'index.mjs')).href)
  const core = await import(pathToFileURL(dist('core', 'index.mjs')).href)
  return { startLocalKms, core }
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  )
}

/** The example's plaintext secret files, parsed with core's parsers (values stay in this process). */
export function exampleSecrets(core, exampleDir) {
  return walk(join(exampleDir, 'config'))
    .filter((path) => core.secretFileRE.test(path) && core.formatFromPath(path))
    .map((path) => {
      const text = readFileSync(path, 'utf8')
      if (core.isEnvelopeText(text)) return { file: relative(exampleDir, path), value: undefined }
      return {
        file: relative(exampleDir, path),
        value: core.parseSecretFile(text, core.formatFromPath(path), path).value,
      }
    })
}

function run(command, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

function baseEnv(extra) {
  return { PATH: process.env.PATH, HOME: process.env.HOME, SystemRoot: process.env.SystemRoot, ...extra }
}

/** `vite build` in the example, with the given KMS env and nothing else of this shell's credentials. */
export async function buildExample(exampleDir, env) {
  let viteBin
  try {
    const pkgPath = createRequire(join(exampleDir, 'package.json')).resolve('vite/package.json')
    viteBin = join(dirname(pkgPath), JSON.parse(readFileSync(pkgPath, 'utf8')).bin.vite)
  } catch {
    fail(`${relative(repoDir, exampleDir)} has no vite installed`, 'Run `pnpm install` at the repository root.')
  }
  const { code, out } = await run(process.execPath, [viteBin, 'build'], { cwd: exampleDir, env: baseEnv(env) })
  for (const line of out.trim().split('\n')) note(line)
  if (code !== 0) fail(`vite build failed (exit ${code})`)
}

/** Core's leak scanner over every file of dist/; shows where the ciphertext sits instead. */
export function scanDist(core, distDir, secrets) {
  const scanner = core.createLeakScanner(secrets.filter((s) => s.value !== undefined))
  const files = walk(distDir)
  const hits = files.flatMap((f) => scanner.scan(readFileSync(f), relative(distDir, f)))
  for (const f of files) note(`${relative(distDir, f)}  ${readFileSync(f).length} bytes`)
  if (hits.length > 0) {
    for (const h of hits) console.error(`  ✗ ${h.asset}: ${h.file} ${h.path} (${h.encoding})`)
    fail(`plaintext found in dist/ (${hits.length} hits)`)
  }
  ok(`${files.length} files scanned for ${secrets.length} secret files: no plaintext anywhere in dist/`)
  const envelope = files.map((f) => firstEnvelope(readFileSync(f, 'utf8'))).find((e) => e !== undefined)
  if (envelope) {
    const cut = (text) => (typeof text === 'string' && text.length > 24 ? `${text.slice(0, 16)}…` : text)
    const shown = { ...envelope, kms: { ...envelope.kms, blob: cut(envelope.kms?.blob) }, data: cut(envelope.data) }
    note(`what dist/ carries instead, for ${envelope.id}: ${JSON.stringify(shown)}`)
  }
}

/** The first sealed envelope passed to openSecret/openSecretSync in a bundle (bundlers may reformat the literal). */
function firstEnvelope(code) {
  const start = /openSecret(?:Sync)?\(\s*\{/.exec(code)
  if (!start) return undefined
  const from = start.index + start[0].length - 1
  const end = code.indexOf('}, {', from)
  try {
    return JSON.parse(code.slice(from, end + 1))
  } catch {
    return undefined
  }
}

/** Starts `node dist/server.*` (the example's `start` script) and waits for its "listening on" line. */
export async function startServer(exampleDir, env) {
  const start = JSON.parse(readFileSync(join(exampleDir, 'package.json'), 'utf8')).scripts.start
  const entry = start.replace(/^node\s+/, '')
  const child = spawn(process.execPath, [entry], {
    cwd: exampleDir,
    env: baseEnv({ ...env, PORT: '0', HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const line = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('the server did not start within 30 s')), 30_000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening on http:\/\/\S+/.exec(out)
      if (m) clearTimeout(timer)
      if (m) resolve(m[0])
    })
    exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${stderr.trim()}`)))
  })
  const stop = async () => {
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  return { line, url: line.replace('listening on ', ''), stop }
}

/** Prints the audit log and checks the story: one GenerateDataKey at build, one Decrypt at start. */
export function printAudit(path, names, keyId) {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
  for (const e of entries) {
    note(
      `${e.time}  ${e.action.padEnd(16)} ${(names[e.secretId] ?? e.secretId).padEnd(8)} ${e.keyId ?? '-'}  ${e.code}`,
    )
  }
  const count = (action, who) =>
    entries.filter((e) => e.action === action && names[e.secretId] === who && e.keyId === keyId && e.code === 'OK')
      .length
  const seals = count('GenerateDataKey', 'build')
  const opens = count('Decrypt', 'runtime')
  if (seals !== 1 || opens !== 1) fail(`expected 1 GenerateDataKey and 1 Decrypt, the log has ${seals} and ${opens}`)
  ok('one GenerateDataKey at build (all secret files share one data key), one Decrypt at server start')
}

/** Runs a KMS call that must be refused with ERR_KMS_UNAUTHORIZED. */
export async function refusal(label, call) {
  try {
    await call()
  } catch (e) {
    if (e?.code !== 'ERR_KMS_UNAUTHORIZED') throw e
    ok(`${label}: refused (${e.kmsCode ?? e.code}, RequestId ${e.requestId ?? '-'})`)
    return
  }
  fail(`${label} was allowed`)
}
