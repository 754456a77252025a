import { type KmsKeyMetadata, type TencentAdmin, tencentAdmin } from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { writeStdout } from '../util/fs.js'
import { type KmsFlags, resolveRegion, tencentOptions } from '../util/kms.js'
import { note } from '../util/report.js'

export const keyActions = ['create', 'list', 'describe', 'disable', 'enable', 'rotate-on', 'rotate-now'] as const
export type KeyAction = (typeof keyActions)[number]

export interface KeysOptions extends KmsFlags {
  action: KeyAction
  keyId: string | undefined
  alias: string | undefined
  description: string | undefined
  rotateDays: number | undefined
  json: boolean
}

/** ListKeys pages hold at most 200 ids (https://cloud.tencent.com/document/api/573/34411). */
const pageSize = 200

function createAdmin(opts: KmsFlags): TencentAdmin {
  return tencentAdmin(tencentOptions(opts, resolveRegion(opts)))
}

function formatMetadata(m: KmsKeyMetadata): string {
  const rows: [string, unknown][] = [
    ['KeyId', m.keyId],
    ['Alias', m.alias],
    ['Description', m.description],
    ['State', m.keyState],
    ['Usage', m.keyUsage],
    ['Created', m.createTime === undefined ? undefined : new Date(m.createTime * 1000).toISOString()],
    ['Rotation', m.keyRotationEnabled === undefined ? undefined : m.keyRotationEnabled ? 'enabled' : 'disabled'],
    ['NextRotate', m.nextRotateTime ? new Date(m.nextRotateTime * 1000).toISOString() : undefined],
    ['Origin', m.origin],
  ]
  return rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`)
    .join('\n')
}

async function listAll(admin: TencentAdmin): Promise<string[]> {
  const ids: string[] = []
  for (let offset = 0; ; offset += pageSize) {
    const page = await admin.listKeys({ offset, limit: pageSize })
    ids.push(...page.keyIds)
    if (page.keyIds.length < pageSize || ids.length >= page.totalCount) return ids
  }
}

async function out(opts: KeysOptions, json: unknown, text: string): Promise<void> {
  await writeStdout(opts.json ? `${JSON.stringify(json, null, 2)}\n` : text ? `${text}\n` : '')
}

/** The key-state changes: one action each, confirmation on stderr (or `{ keyId, action }` with --json). */
async function changeKey(admin: TencentAdmin, opts: KeysOptions, keyId: string): Promise<void> {
  const done: Record<string, [() => Promise<void>, string]> = {
    disable: [() => admin.disableKey(keyId), `disabled ${keyId}`],
    enable: [() => admin.enableKey(keyId), `enabled ${keyId}`],
    'rotate-on': [() => admin.enableKeyRotation(keyId, opts.rotateDays), `automatic rotation enabled for ${keyId}`],
    'rotate-now': [() => admin.rotateKey(keyId), `rotated ${keyId} to a new key version`],
  }
  const [run, message] = done[opts.action]!
  await run()
  if (opts.json) await out(opts, { keyId, action: opts.action, ok: true }, '')
  else note(message)
}

/** `kms-secrets keys …`: thin KMS key administration through the same endpoint/credentials as everything else. */
export async function keysCommand(opts: KeysOptions): Promise<number> {
  const admin = createAdmin(opts)
  if (opts.action === 'create') {
    if (!opts.alias) throw usageError('keys create needs --alias <alias> (letters, digits, - and _; up to 60).')
    const m = await admin.createKey({
      alias: opts.alias,
      ...(opts.description === undefined ? {} : { description: opts.description }),
    })
    await out(opts, m, m.keyId)
    return 0
  }
  if (opts.action === 'list') {
    const keyIds = await listAll(admin)
    await out(opts, { keyIds, totalCount: keyIds.length }, keyIds.join('\n'))
    return 0
  }
  if (!opts.keyId) throw usageError(`keys ${opts.action} needs a KeyId.`)
  if (opts.action === 'describe') {
    const m = await admin.describeKey(opts.keyId)
    await out(opts, m, formatMetadata(m))
    return 0
  }
  await changeKey(admin, opts, opts.keyId)
  return 0
}
