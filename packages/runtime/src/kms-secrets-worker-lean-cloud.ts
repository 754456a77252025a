// The lean openSecretSync file (no mode "project") with `@kms-secrets/runtime/cloud` inside
// (dist/kms-secrets-worker-standalone-lean-cloud.cjs only): the plugins' kms-secrets-worker.cjs for the option
// `cloud: true` when no secret of the build uses a project key.
import './cloud.js'

export { openSecretSync } from './kms-secrets-worker-lean.js'
