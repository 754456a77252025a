import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { createSdkClient } from '@kms-secrets/testkit/sdk'
import { afterAll, beforeAll, expect } from 'vitest'
import { createFigures, type Figures } from './figures.js'
import { keyIdFor, newIdentity, providerFor } from './kms.js'
import { type RawCall, type RawResponse, rawCall } from './tc3.js'

/** Timeouts of the attacked local-kms (short, so slow-client attacks finish quickly). */
export const headersTimeoutMs = 1000
export const requestTimeoutMs = 2000

export interface HostileKms {
  figures: Figures
  keyA: string
  keyB: string
  admin: ReturnType<typeof newIdentity>
  /** May only Decrypt key A. */
  runtimeA: ReturnType<typeof newIdentity>
  /** May only Decrypt key B. */
  runtimeB: ReturnType<typeof newIdentity>
  /** STS-style identity: requests must carry its X-TC-Token. */
  sts: ReturnType<typeof newIdentity> & { token: string }
  /**
   * The server's clock: wall time unless a test pins it (ms since the epoch), so the 5-minute window is tested at
   * exact seconds. While pinned, the legitimate client of `underAttack` (wall-clock SDK) stays inside the window.
   */
  clock: { pinnedMs: number | undefined }
  plainA: string
  readonly kms: TestKms
  readonly port: number
  readonly blobA: string
  readonly blobB: string
  /** Runs an attack while a legitimate client keeps decrypting; every one of its calls must succeed. */
  underAttack(name: string, attack: () => Promise<void>): Promise<void>
  /** Asserts Tencent's error code (and a RequestId on API errors) and counts it. */
  refused(attack: string, res: RawResponse, code: string): void
  /** A signed Decrypt of blob A. */
  decrypt(who?: RawCall['who'], extra?: Partial<RawCall>): Promise<RawResponse>
}

/** One local-kms with two keys and four identities for a file of attacks; registers its own beforeAll/afterAll. */
export function useHostileKms(suite: string): HostileKms {
  const figures = createFigures(suite)
  const keyA = keyIdFor('reqA')
  const keyB = keyIdFor('reqB')
  const admin = newIdentity('Admin')
  const runtimeA = newIdentity('RuntimeA')
  const runtimeB = newIdentity('RuntimeB')
  const sts = { ...newIdentity('Sts'), token: 'sts-session-token-0123456789' }
  const clock: HostileKms['clock'] = { pinnedMs: undefined }
  const plainA = Buffer.from('value-of-key-a').toString('base64')
  const state = { kms: undefined as unknown as TestKms, blobA: '', blobB: '' }

  beforeAll(async () => {
    state.kms = await startTestKms({
      seed: {
        identities: [
          { ...admin, allow: ['*'], keys: ['*'] },
          { ...runtimeA, allow: ['Decrypt'], keys: [keyA] },
          { ...runtimeB, allow: ['Decrypt'], keys: [keyB] },
          { ...sts, allow: ['*'], keys: [keyA] },
        ],
        keys: [
          { keyId: keyA, alias: 'hard-req-a' },
          { keyId: keyB, alias: 'hard-req-b' },
        ],
      },
      headersTimeoutMs,
      requestTimeoutMs,
      clock: () => clock.pinnedMs ?? Date.now(),
    })
    const sdk = createSdkClient(state.kms.endpoint, admin)
    const encrypt = async (KeyId: string) =>
      ((await sdk.request('Encrypt', { KeyId, Plaintext: plainA })) as { CiphertextBlob: string }).CiphertextBlob
    state.blobA = await encrypt(keyA)
    state.blobB = await encrypt(keyB)
    sdk.close()
  })
  afterAll(async () => {
    figures.write()
    await state.kms.dispose()
  })

  const ctx: HostileKms = {
    figures,
    keyA,
    keyB,
    admin,
    runtimeA,
    runtimeB,
    sts,
    clock,
    plainA,
    get kms() {
      return state.kms
    },
    get port() {
      return state.kms.port
    },
    get blobA() {
      return state.blobA
    },
    get blobB() {
      return state.blobB
    },
    async underAttack(name, attack) {
      const provider = providerFor(state.kms.endpoint, runtimeA)
      let stop = false
      const outcome = { ok: 0, failed: [] as string[] }
      const valid = (async () => {
        while (!stop) {
          try {
            const res = await provider.decrypt({ ciphertextBlob: state.blobA })
            if (Buffer.from(res.plaintext).toString('base64') === plainA) outcome.ok++
            else outcome.failed.push('wrong plaintext')
          } catch (e) {
            outcome.failed.push((e as { code?: string }).code ?? 'untyped')
          }
        }
      })()
      try {
        await attack()
      } finally {
        stop = true
        await valid
      }
      figures.count('validCallsDuringAttack', name, outcome.ok)
      expect(outcome.failed, `valid client failed during ${name}`).toEqual([])
      expect(outcome.ok).toBeGreaterThan(0)
    },
    refused(attack, res, code) {
      expect(res.code, attack).toBe(code)
      if (res.status === 200) expect(res.json.Response?.RequestId).toMatch(/^[0-9a-f-]{36}$/)
      figures.count('refusedByCode', code)
    },
    decrypt: (who = runtimeA, extra = {}) =>
      rawCall(state.kms.port, { action: 'Decrypt', params: { CiphertextBlob: state.blobA }, who, ...extra }),
  }
  return ctx
}
