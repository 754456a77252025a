// `@kms-secrets/runtime/project`: importing it enables mode "project" (FORMAT.md §10) in every opener of this
// process. Generated code imports it for project-key envelopes only (unplugin codegen.ts).
import { registerProjectMode } from './opener/project-mode.js'
import { createProjectMaterials } from './project/project-opener.js'

registerProjectMode(createProjectMaterials)
