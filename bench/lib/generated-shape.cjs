// The shape of the module unplugin-kms-secrets generates for a sealed file (packages/unplugin/src/core/codegen.ts),
// rebuilt from the envelope text with no plugin work: a top-level-await call into the runtime with the envelope as a
// literal, a default export and one named export per top-level key. Used by the build benchmark's "generated-module
// floor" (what the bundler pays for the module shape alone). CommonJS so the webpack/rspack loader can require it.
const identifierRE = /^[A-Za-z_$][\w$]*$/

function generatedShape(envelopeText, file) {
  const envelope = JSON.parse(envelopeText)
  const keys = Object.keys(envelope.shape?.object ?? {}).filter((k) => identifierRE.test(k) && k !== 'then')
  return [
    `// ${file}: sealed by unplugin-kms-secrets; decrypted in memory by @kms-secrets/runtime.`,
    `import { openSecret } from "@kms-secrets/runtime";`,
    `const __kmsSecret = await openSecret(${JSON.stringify(envelope)}, { file: ${JSON.stringify(file)} });`,
    'export default __kmsSecret;',
    ...keys.map((k) => `export const ${k} = __kmsSecret.${k};`),
    '',
  ].join('\n')
}

module.exports = { generatedShape }
