import { kmsSecrets } from './index'

/**
 * @example
 * // webpack.config.js
 * import kmsSecrets from 'unplugin-kms-secrets/webpack'
 * export default { target: 'node', entry: './src/server.js', plugins: [kmsSecrets()] }
 */
export default kmsSecrets.webpack
