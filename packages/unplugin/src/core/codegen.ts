import { type AnyEnvelope, isExportableKey, secretBinding } from '@kms-secrets/core'

/** Local binding of the decrypted value inside a generated module. */
const binding = secretBinding

/** Top-level keys of an object-format envelope (from its shape) that become named exports; none for text. */
export function namedExportsOf(envelope: AnyEnvelope): string[] {
  const shape = envelope.shape
  if (envelope.format === 'text' || shape === undefined || typeof shape === 'string' || !('object' in shape)) return []
  return Object.keys(shape.object).filter(isExportableKey)
}

export interface CodegenInput {
  envelope: AnyEnvelope
  /** Project-relative path of the secret file (what runtime errors name). */
  file: string
  /** Specifier of `@kms-secrets/runtime`. */
  runtime: string
  /** `openSecretSync` without top-level await (CommonJS outputs). */
  sync: boolean
  /** Import `@kms-secrets/runtime/cloud` too (plugin option `cloud`; ESM only: CommonJS opens in the worker file). */
  cloud?: boolean | undefined
}

/**
 * What sync code imports `openSecretSync` from: the runtime's `/sync` subpath, a main-thread stub that loads the
 * opener from kms-secrets-worker.cjs (the file its worker thread runs, written next to a CommonJS bundle), so the
 * bundle does not inline the runtime a second time. The bare package name or our own dist entry (absolute path,
 * see runtime-path.ts) map to it; any other `runtime` option is imported as given.
 */
export function syncRuntimeSpecifier(runtime: string): string {
  if (runtime === '@kms-secrets/runtime') return '@kms-secrets/runtime/sync'
  return runtime.replace(/(\/runtime\/dist\/)index\.(c|m)js$/, '$1sync.$2js')
}

/**
 * What ESM code for a mode "project" envelope imports first, so the runtime opens project envelopes (the import
 * registers the mode; other bundles leave its HPKE receiver out, ~5 KiB): `<package>/project` for a package name,
 * the sibling `project.<ext>` of an `index.<ext>` entry file; none for any other `runtime` option (the runtime then
 * says what to import). CommonJS code needs none: its opens run in the worker file, which the plugin writes with the
 * mode when a module of the build came from a project envelope (sync-worker.ts).
 */
export function projectRuntimeSpecifier(runtime: string): string | undefined {
  return runtimeSubpath(runtime, 'project')
}

/**
 * `<package>/<name>` for a package name, the sibling `<name>.<ext>` of an `index.<ext>` entry file, none for any other
 * `runtime` option (the runtime then says what to import): the runtime's side-effect entries `project` and `cloud`.
 */
function runtimeSubpath(runtime: string, name: 'project' | 'cloud'): string | undefined {
  const entry = /\/index\.(m?[jt]s|cjs)$/.exec(runtime)
  if (entry !== null) return `${runtime.slice(0, entry.index)}/${name}.${entry[1]}`
  return /^(?:@[\w.-]+\/)?[\w.-]+$/.test(runtime) ? `${runtime}/${name}` : undefined
}

/**
 * What ESM code imports for the plugin option `cloud: true`: `@kms-secrets/runtime/cloud` (profile/CVM/TKE credential
 * sources and the proxy tunnel), so a bundle that inlines the runtime has them without node_modules. CommonJS code
 * needs none: its opens run in the worker file, which the plugin then writes with the add-on (sync-worker.ts).
 */
export function cloudRuntimeSpecifier(runtime: string): string | undefined {
  return runtimeSubpath(runtime, 'cloud')
}

/**
 * The module a secret import becomes: ciphertext only, plus a call into the runtime that decrypts it in memory when
 * the module is evaluated. Deterministic: same input, same code (no timestamps, no absolute project paths).
 */
export function generateSecretModule(input: CodegenInput): string {
  const { envelope, file, runtime, sync, cloud } = input
  const open = sync ? 'openSecretSync' : 'openSecret'
  const call = `${sync ? '' : 'await '}${open}(${JSON.stringify(envelope)}, { file: ${JSON.stringify(file)} })`
  const project = !sync && envelope.mode === 'project' ? projectRuntimeSpecifier(runtime) : undefined
  const cloudEntry = !sync && cloud === true ? cloudRuntimeSpecifier(runtime) : undefined
  const lines = [
    // A line break in the file name would end the comment and make the rest of the name code.
    `// ${file.replace(/[\r\n\u2028\u2029]/g, ' ')}: sealed by unplugin-kms-secrets; decrypted in memory by @kms-secrets/runtime.`,
    ...(project === undefined ? [] : [`import ${JSON.stringify(project)};`]),
    ...(cloudEntry === undefined ? [] : [`import ${JSON.stringify(cloudEntry)};`]),
    `import { ${open} } from ${JSON.stringify(sync ? syncRuntimeSpecifier(runtime) : runtime)};`,
    `const ${binding} = ${call};`,
    `export default ${binding};`,
    ...namedExportsOf(envelope).map((key) => `export const ${key} = ${binding}.${key};`),
  ]
  return `${lines.join('\n')}\n`
}
