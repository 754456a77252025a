import type { KeyHandle, ProjectEnvelope } from '@kms-secrets/core/open'
import type { RecipientKey } from '../project/hpke-receiver.js'
import type { ResolvedOptions } from './options.js'
import type { ProviderSource } from './providers.js'
import type { DecryptTarget } from './retry.js'

/** What mode "project" adds to an opener (`@kms-secrets/runtime/project`): the materials of core's open rules. */
export interface ProjectMaterials {
  /** The project private key (one KMS call per project key, single-flight), non-extractable; null: not its key. */
  projectKey(env: ProjectEnvelope, target: DecryptTarget): Promise<KeyHandle<RecipientKey>>
  /** HPKE SetupBaseR + Export: the value's data key (the rules zero it). */
  hpkeExport(key: RecipientKey, enc: Uint8Array, info: Uint8Array, exporterContext: Uint8Array): Promise<Uint8Array>
  clear(): void
  readonly size: number
}

export type ProjectMode = (providers: ProviderSource, o: ResolvedOptions) => ProjectMaterials

/**
 * Where `@kms-secrets/runtime/project` registers mode "project": a registered symbol on globalThis, so every copy
 * of the runtime in a process (ESM and CommonJS, several chunks) sees it, like the default opener. The plugin emits
 * that import only for builds with project-key envelopes, so other bundles leave the HPKE receiver and the
 * recipient-key import out (~5 KiB). `@1`: the shape above; a change of it takes a new name.
 */
const slot = Symbol.for('@kms-secrets/runtime/project-mode@1')

export function registerProjectMode(mode: ProjectMode): void {
  Object.defineProperty(globalThis, slot, { value: mode, enumerable: false, configurable: true })
}

/** The registered project mode, looked up when the first project envelope is opened. */
export function projectMode(): ProjectMode | undefined {
  return (globalThis as { [slot]?: ProjectMode })[slot]
}
