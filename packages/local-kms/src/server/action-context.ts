import type { ActionContext } from '../actions/define.js'
import { type Identity, isKeyAllowed, namesKey } from '../auth/identity.js'
import type { KeyStore } from '../keys/key-store.js'
import { ApiError } from './api-error.js'

function unauthorized(): ApiError {
  return new ApiError('AuthFailure.UnauthorizedOperation', 'The credential may not use this key.')
}

/**
 * The context handed to an action. `useKey` checks key permission after resolving the reference; an unknown key the
 * identity could not use anyway is reported as unauthorized, so a restricted caller cannot probe which keys exist.
 */
export function createActionContext(
  store: KeyStore,
  identity: Identity,
  now: number,
  audit: { keyId: string | null },
): ActionContext {
  const noteKey = (keyId: string): void => {
    if (audit.keyId === null) audit.keyId = keyId
  }
  return {
    store,
    identity,
    now,
    noteKey,
    async useKey(ref, options) {
      const found = options?.byIdOnly ? store.get(ref) : store.find(ref)
      const key = found && (await store.refresh(found, now))
      if (!key) {
        noteKey(ref)
        if (!namesKey(identity, ref)) throw unauthorized()
        throw new ApiError('ResourceUnavailable.CmkNotFound', 'The key does not exist.')
      }
      noteKey(key.keyId)
      if (!isKeyAllowed(identity, key)) throw unauthorized()
      return key
    },
  }
}
