import { kmsSecrets } from './index'

/**
 * @example
 * import { build } from 'esbuild'
 * import kmsSecrets from 'unplugin-kms-secrets/esbuild'
 * await build({ entryPoints: ['src/server.ts'], bundle: true, platform: 'node', format: 'esm', plugins: [kmsSecrets()] })
 */
export default kmsSecrets.esbuild
