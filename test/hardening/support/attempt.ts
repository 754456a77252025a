import { inspect } from 'node:util'
import { isKmsSecretsError } from '@kms-secrets/core'
import { textHasCanary } from '@kms-secrets/testkit/leak'

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string; error: Error }

/**
 * Runs one open attempt: a KmsSecretsError becomes `{ ok: false, code }`; anything else (an untyped crash) is
 * rethrown so the test fails; a value comes back as `{ ok: true }` for the caller to compare with the original.
 */
export async function attempt(open: () => Promise<unknown> | unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await open() }
  } catch (e) {
    if (!isKmsSecretsError(e)) throw new Error(`untyped failure: ${e instanceof Error ? e.name : typeof e}`)
    return { ok: false, code: e.code, error: e }
  }
}

/** Everything an error shows: message, hint, stack, own fields, cause chain (inspect with hidden props). */
export function renderError(e: unknown): string {
  const parts = [inspect(e, { depth: 10, showHidden: true }), String(e)]
  if (e instanceof Error) parts.push(e.stack ?? '', String((e as { hint?: unknown }).hint ?? ''))
  return parts.join('\n')
}

/** Canary hits in everything an error shows. */
export function errorLeaks(e: unknown, canaries: readonly string[]): { canary: number; encoding: string }[] {
  return textHasCanary(renderError(e), canaries)
}
