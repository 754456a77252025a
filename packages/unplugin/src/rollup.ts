import { kmsSecrets } from './index'

/**
 * @example
 * // rollup.config.js
 * import kmsSecrets from 'unplugin-kms-secrets/rollup'
 * export default { input: 'src/server.ts', output: { dir: 'dist', format: 'es' }, plugins: [kmsSecrets()] }
 */
export default kmsSecrets.rollup
