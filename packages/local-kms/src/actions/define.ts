import type { Identity } from '../auth/identity.js'
import type { KeyRecord } from '../keys/key-record.js'
import type { KeyStore } from '../keys/key-store.js'

export type FieldType = 'string' | 'integer' | 'boolean' | 'object' | 'array'

/** One request field of an action: its JSON type and whether it is required. */
export interface FieldSpec {
  type: FieldType
  required?: boolean
}

export type Fields = Record<string, FieldSpec>

type ValueOf<T extends FieldType> = T extends 'string'
  ? string
  : T extends 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'object'
        ? Record<string, unknown>
        : unknown[]

/** The validated parameters of an action, typed from its field specs. */
export type ParamsOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { required: true } ? ValueOf<F[K]['type']> : ValueOf<F[K]['type']> | undefined
}

export interface UseKeyOptions {
  /** The reference came out of a CiphertextBlob: resolve by KeyId only, never as an alias. */
  byIdOnly?: boolean
}

/** What an action handler may touch. */
export interface ActionContext {
  readonly store: KeyStore
  readonly identity: Identity
  /** Unix seconds of this request. */
  readonly now: number
  /**
   * Resolves a KeyId (or alias), applies due rotation/deletion, checks the identity may use it and records it for
   * the audit log. Throws InvalidKeyId / CmkNotFound / AuthFailure.UnauthorizedOperation.
   */
  useKey(ref: string, options?: UseKeyOptions): Promise<KeyRecord>
  /** Records the key of this call for the audit log (for keys created by the call). */
  noteKey(keyId: string): void
}

export type ActionResult = Record<string, unknown>

export interface ActionDefinition<F extends Fields> {
  /** Tencent's exact action name. */
  name: string
  fields: F
  handle(params: ParamsOf<F>, ctx: ActionContext): Promise<ActionResult>
}

/** The type-erased form kept in the action map. */
export interface Action {
  name: string
  fields: Fields
  handle(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult>
}

export function defineAction<const F extends Fields>(definition: ActionDefinition<F>): Action {
  return definition as unknown as Action
}

/** Fields every key-management action may carry and local-kms ignores (trusted-service member accounts). */
export const memberAccountField = { MemberAccount: { type: 'object' } } as const satisfies Fields
