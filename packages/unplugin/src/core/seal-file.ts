import { basename, dirname } from 'node:path'
import {
  type AnyEnvelope,
  findProjectKey,
  isEnvelopeText,
  parseSecretFile,
  sealWithProjectKey,
  secretFormatOf,
} from '@kms-secrets/core'
import type { ContextDeps } from './context'
import { envelopePublicStrings } from './envelope-public'
import type { LeakTracker } from './leak'
import type { ResolvedOptions } from './options'
import {
  checkEnvelopeBinding,
  createSealerPool,
  missingKeyIdError,
  openSealedFile,
  plaintextForbiddenError,
  type SealerPool,
} from './secrets'

/** What the context tells the sealer about the build it is in. */
export interface SealingState {
  /** Between buildStart and buildEnd of a build (not a dev server): project keys are looked up once per directory. */
  readonly building: boolean
  /** A build with the leak check on: the plaintext values sealed are kept for it. */
  readonly keepValues: boolean
}

export interface FileSealer {
  /** A secret file's envelope: a sealed file checked against its name and this build, or the plaintext sealed. */
  envelopeOf(text: string, path: string, file: string): Promise<AnyEnvelope>
  buildStart(): void
  /** Zeroes the data keys (idempotent). */
  buildEnd(): void
}

export function createFileSealer(
  options: ResolvedOptions,
  deps: ContextDeps,
  leaks: LeakTracker,
  state: SealingState,
): FileSealer {
  const sealers: SealerPool = createSealerPool(options, deps.randomIv, deps.randomSalt)
  // A build seals many files of few directories: kms-secrets.json is looked up once per directory and build (outside
  // a build, e.g. a dev server, every time, so a key file created meanwhile is used at once).
  const projectKeys = new Map<string, ReturnType<typeof findProjectKey>>()
  const projectKeyOf = (dir: string) => {
    if (!state.building) return findProjectKey(dir)
    if (!projectKeys.has(dir)) projectKeys.set(dir, findProjectKey(dir))
    return projectKeys.get(dir)
  }

  /**
   * With a kms-secrets.json in reach of the file (nearest, walking up from its directory): sealed with the project
   * key's public half — no provider, no credentials, no KMS call — and held to the same context/CMK rules as a
   * sealed file. Otherwise one build-wide data key per CMK (GenerateDataKey).
   */
  async function sealOne(path: string, file: string, input: Parameters<typeof sealWithProjectKey>[1]) {
    const project = projectKeyOf(dirname(path))
    if (project) {
      const rng = {
        ...(deps.randomIv ? { randomIv: deps.randomIv } : {}),
        ...(deps.randomSalt ? { randomSalt: deps.randomSalt } : {}),
      }
      const sealed = await sealWithProjectKey(project.key, input, rng)
      checkEnvelopeBinding(sealed, options, file)
      return sealed
    }
    if (options.keyId === undefined) throw missingKeyIdError(file)
    return sealers.get(options.keyId).seal(input)
  }

  async function sealPlaintext(text: string, path: string, file: string): Promise<AnyEnvelope> {
    if (options.plaintext === 'error') throw plaintextForbiddenError(file)
    const format = secretFormatOf(path, file, "matches the plugin's include")
    const parsed = parseSecretFile(text, format, file)
    try {
      const sealed = await sealOne(path, file, {
        id: basename(path),
        format,
        payload: parsed.payload,
        shape: parsed.shape,
      })
      if (state.keepValues) leaks.record(file, parsed.value, envelopePublicStrings(sealed))
      return sealed
    } finally {
      parsed.payload.fill(0)
    }
  }

  function openSealed(text: string, path: string, file: string): AnyEnvelope {
    const envelope = openSealedFile(text, path, file)
    checkEnvelopeBinding(envelope, options, file)
    return envelope
  }

  return {
    envelopeOf: async (text, path, file) =>
      isEnvelopeText(text) ? openSealed(text, path, file) : await sealPlaintext(text, path, file),
    buildStart() {
      projectKeys.clear()
    },
    buildEnd() {
      sealers.dispose()
      projectKeys.clear()
    },
  }
}
