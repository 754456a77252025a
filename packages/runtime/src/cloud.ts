// `@kms-secrets/runtime/cloud`: importing it adds, to every opener of this process, the credential sources that need
// a file or the network — profile file, CVM role, TKE OIDC — and the CONNECT tunnel for a proxy from the environment.
// The inlined runtime keeps explicit and environment credentials and direct connections, and loads this add-on from
// node_modules only when neither env source answered or a proxy applies (credentials/cloud-addon.ts). Import it (or
// set the plugin option `cloud: true`) where a single-file bundle runs without node_modules on CVM/TKE or behind a proxy.
import { registerCloud } from './credentials/cloud-addon.js'
import { cloudCredentials } from './credentials/cloud-sources.js'
import { proxyTunnel } from './kms/proxy-tunnel.js'

registerCloud({ credentials: cloudCredentials, tunnel: proxyTunnel })
