import { kmsSecretsAstro } from './core/astro'

/**
 * @example
 * // astro.config.mjs
 * export default defineConfig({ output: 'server', adapter: node({ mode: 'standalone' }), integrations: [kmsSecrets()] })
 */
export default kmsSecretsAstro
