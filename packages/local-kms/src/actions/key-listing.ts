import { isKeyAllowed } from '../auth/identity.js'
import type { KeyRecord } from '../keys/key-record.js'
import type { ActionContext, Fields } from './define.js'
import { checkRange } from './values.js'

/** The paging fields ListKeys and ListKeyDetail share. */
export const listPageFields = {
  Offset: { type: 'integer' },
  Limit: { type: 'integer' },
  Role: { type: 'integer' },
} as const satisfies Fields

/** Offset (default 0), Limit (1–200, default 10) and Role (0 user keys, 1 cloud-product keys), checked in that order. */
export function checkListPage(p: { Offset?: number; Limit?: number; Role?: number }): {
  offset: number
  limit: number
  role: number
} {
  const offset = checkRange(p.Offset ?? 0, 0, Number.MAX_SAFE_INTEGER, 'InvalidParameterValue', 'Offset')
  const limit = checkRange(p.Limit ?? 10, 1, 200, 'InvalidParameterValue', 'Limit')
  const role = checkRange(p.Role ?? 0, 0, 1, 'InvalidParameterValue', 'Role')
  return { offset, limit, role }
}

/** Every stored key, with due rotation/deletion applied, that `matches` and the caller's identity may use, in creation order. */
export async function visibleKeys(ctx: ActionContext, matches: (key: KeyRecord) => boolean): Promise<KeyRecord[]> {
  const visible: KeyRecord[] = []
  for (const key of ctx.store.list()) {
    const current = await ctx.store.refresh(key, ctx.now)
    if (current && matches(current) && isKeyAllowed(ctx.identity, current)) visible.push(current)
  }
  return visible
}
