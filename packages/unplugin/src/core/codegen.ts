import type { Envelope } from '@kms-secrets/core'

/** Local binding of the decrypted value inside a generated module. */
const binding = '__kmsSecret'

const identifierRE = /^[A-Za-z_$][\w$]*$/

// Reserved words (including strict-mode and module-only ones) cannot be `export const` names.
const reserved = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if implements import in instanceof interface let new null package private protected public return ' +
    'static super switch this throw true try typeof var void while with yield arguments eval'
  ).split(' '),
)

/**
 * Whether a top-level key can become a named export. `then` is excluded on purpose: a module namespace with a `then`
 * export is treated as a thenable by `await import()`, which would swallow the module.
 */
export function isExportableKey(key: string): boolean {
  return identifierRE.test(key) && !reserved.has(key) && key !== 'then' && key !== binding
}

/** Top-level keys of an object-format envelope (from its shape) that become named exports; none for text. */
export function namedExportsOf(envelope: Envelope): string[] {
  const shape = envelope.shape
  if (envelope.format === 'text' || shape === undefined || typeof shape === 'string' || !('object' in shape)) return []
  return Object.keys(shape.object).filter(isExportableKey)
}

export interface CodegenInput {
  envelope: Envelope
  /** Project-relative path of the secret file (what runtime errors name). */
  file: string
  /** Specifier of `@kms-secrets/runtime`. */
  runtime: string
  /** `openSecretSync` without top-level await (CommonJS outputs). */
  sync: boolean
}

/**
 * The module a secret import becomes: ciphertext only, plus a call into the runtime that decrypts it in memory when
 * the module is evaluated. Deterministic: same input, same code (no timestamps, no absolute project paths).
 */
export function generateSecretModule(input: CodegenInput): string {
  const { envelope, file, runtime, sync } = input
  const open = sync ? 'openSecretSync' : 'openSecret'
  const call = `${sync ? '' : 'await '}${open}(${JSON.stringify(envelope)}, { file: ${JSON.stringify(file)} })`
  const lines = [
    `// ${file}: sealed by unplugin-kms-secrets; decrypted in memory by @kms-secrets/runtime.`,
    `import { ${open} } from ${JSON.stringify(runtime)};`,
    `const ${binding} = ${call};`,
    `export default ${binding};`,
    ...namedExportsOf(envelope).map((key) => `export const ${key} = ${binding}.${key};`),
  ]
  return `${lines.join('\n')}\n`
}
