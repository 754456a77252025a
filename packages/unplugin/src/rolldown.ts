import { kmsSecrets } from './index'

/**
 * @example
 * // rolldown.config.js
 * import kmsSecrets from 'unplugin-kms-secrets/rolldown'
 * export default { input: 'src/server.ts', platform: 'node', plugins: [kmsSecrets()] }
 */
export default kmsSecrets.rolldown
