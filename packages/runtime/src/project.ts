// `@kms-secrets/runtime/project`: importing it enables mode "project" (FORMAT.md §10) in every opener of this
// process. Generated code imports it for project-key envelopes only (unplugin codegen.ts).
// It also brings the asymmetric KMS decrypts a project key may need (kms/tencent-asymmetric.ts), which the inlined
// runtime's provider leaves out.
import { withAsymmetricDecrypts } from './kms/tencent-asymmetric.js'
import { registerProjectMode } from './opener/project-mode.js'
import { createProjectMaterials } from './project/project-opener.js'

registerProjectMode((providers, o) =>
  createProjectMaterials(
    { regionFor: providers.regionFor, providerFor: (region) => withAsymmetricDecrypts(providers.providerFor(region)) },
    o,
  ),
)
