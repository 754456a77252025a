import { kmsSecrets } from './index'

/**
 * @example
 * // rspack.config.js
 * import kmsSecrets from 'unplugin-kms-secrets/rspack'
 * export default { target: 'node', entry: './src/server.js', plugins: [kmsSecrets()] }
 */
export default kmsSecrets.rspack
