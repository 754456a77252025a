import * as esbuild from 'esbuild'
import kmsSecrets from 'unplugin-kms-secrets/esbuild'

await esbuild.build({
  entryPoints: ['src/server.js'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: 'dist/server.js',
  sourcemap: true,
  plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })],
})
