// The openSecretSync file with `@kms-secrets/runtime/cloud` inside (dist/kms-secrets-worker-standalone-cloud.cjs only):
// what the plugins write as kms-secrets-worker.cjs for the option `cloud: true` when a secret of the build uses a
// project key, so a CommonJS bundle deployed without node_modules finds the profile/CVM/TKE sources and the proxy
// tunnel in its worker thread.
import './cloud.js'

export { openSecretSync } from './kms-secrets-worker.js'
