import { isAbsolute } from 'node:path'
import kmsSecrets from 'unplugin-kms-secrets/rollup'

export default {
  input: 'src/server.js',
  output: { dir: 'dist', format: 'es', sourcemap: true },
  // Packages (the Tencent SDK the runtime uses) stay external and load from node_modules at run time.
  external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
  plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })],
}
