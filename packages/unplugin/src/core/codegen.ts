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
