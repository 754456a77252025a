import { describe, expect, it } from 'vitest'
import { useHostileKms } from './support/hostile-kms.js'
import { newIdentity } from './support/kms.js'
import { rawCall, sendRaw, signedRequest } from './support/tc3.js'

/** Attacks on local-kms authentication and authorization; a legitimate client decrypts in parallel with each. */
const h = useHostileKms('hostile-requests-auth')
const { figures, admin, runtimeA, runtimeB, sts, clock, plainA, keyA, underAttack, refused, decrypt } = h

describe('signatures: replay, expiry, scope', () => {
  it('a captured signed request replays within the 5-minute window (as Tencent), and not after it', async () => {
    const signedAt = Math.floor(Date.now() / 1000)
    const captured = signedRequest(h.port, {
      action: 'Decrypt',
      params: { CiphertextBlob: h.blobA },
      who: runtimeA,
      timestamp: signedAt,
    })
    clock.pinnedMs = signedAt * 1000
    try {
      await underAttack('replay', async () => {
        const replays = await Promise.all(Array.from({ length: 20 }, () => sendRaw(h.port, captured)))
        for (const r of replays) expect(r.json.Response?.Plaintext).toBe(plainA)
        figures.set('replaysAcceptedWithinWindow', replays.length)
      })
      // Age the server clock (everyone's requests would now be stale, so no parallel client here).
      clock.pinnedMs = (signedAt + 300) * 1000 + 999
      expect((await sendRaw(h.port, captured)).code, 'replay after 300 s').toBe('OK')
      clock.pinnedMs = (signedAt + 301) * 1000
      refused('replay after 301 s', await sendRaw(h.port, captured), 'AuthFailure.SignatureExpire')
    } finally {
      clock.pinnedMs = undefined
    }
  })

  it('X-TC-Action is not covered by the signature: a captured request can be re-targeted within its permissions', async () => {
    await underAttack('action swap', async () => {
      const swap = (who: typeof admin) =>
        sendRaw(
          h.port,
          signedRequest(h.port, { action: 'Decrypt', params: { CiphertextBlob: h.blobA }, who })
            .toString('latin1')
            .replace('X-TC-Action: Decrypt', 'X-TC-Action: ReEncrypt'),
        )
      refused(
        'Decrypt re-targeted to ReEncrypt (no permission)',
        await swap(runtimeA),
        'AuthFailure.UnauthorizedOperation',
      )
      const res = await swap(admin)
      expect(res.code).toBe('OK')
      figures.set('actionSwapAcceptedWithinPermissions', true)
    })
  })

  it('expired and future timestamps, wrong service scope, unknown identity, wrong key', async () => {
    // The server's clock is pinned to the last millisecond of one second: the window counts whole seconds, so
    // exactly ±300 s is accepted and ±301 s refused however long the calls take.
    const now = Math.floor(Date.now() / 1000)
    clock.pinnedMs = now * 1000 + 999
    try {
      await underAttack('timestamps and scope', async () => {
        refused('301 s old', await decrypt(runtimeA, { timestamp: now - 301 }), 'AuthFailure.SignatureExpire')
        refused('301 s ahead', await decrypt(runtimeA, { timestamp: now + 301 }), 'AuthFailure.SignatureExpire')
        refused('1 year old', await decrypt(runtimeA, { timestamp: now - 31_536_000 }), 'AuthFailure.SignatureExpire')
        expect((await decrypt(runtimeA, { timestamp: now - 300 })).code, '300 s old').toBe('OK')
        expect((await decrypt(runtimeA, { timestamp: now + 300 })).code, '300 s ahead').toBe('OK')
        const at = { timestamp: now }
        refused('service cvm', await decrypt(runtimeA, { ...at, service: 'cvm' }), 'AuthFailure.SignatureFailure')
        refused('service sts', await decrypt(runtimeA, { ...at, service: 'sts' }), 'AuthFailure.SignatureFailure')
        refused('unknown SecretId', await decrypt(newIdentity('Nobody'), at), 'AuthFailure.SecretIdNotFound')
        refused('wrong SecretKey', await decrypt({ ...runtimeA, secretKey: 'x' }, at), 'AuthFailure.SignatureFailure')
        // Region is not part of the TC3 scope; local-kms serves one region and ignores the header.
        expect((await decrypt(runtimeA, { ...at, region: 'ap-beijing' })).code).toBe('OK')
      })
    } finally {
      clock.pinnedMs = undefined
    }
  })
})

describe('permissions and X-TC-Token', () => {
  it('an identity without permission on the key or the action, and every token misuse, is refused', async () => {
    await underAttack('permissions', async () => {
      const U = 'AuthFailure.UnauthorizedOperation'
      refused('Decrypt-only on B opens a blob of A', await decrypt(runtimeB), U)
      const encrypt = { action: 'Encrypt', params: { KeyId: keyA, Plaintext: plainA } }
      refused('Decrypt-only identity encrypts', await rawCall(h.port, { ...encrypt, who: runtimeA }), U)
      refused(
        'Decrypt-only identity makes data keys',
        await rawCall(h.port, {
          action: 'GenerateDataKey',
          params: { KeyId: keyA, KeySpec: 'AES_256' },
          who: runtimeA,
        }),
        U,
      )
      refused(
        'Decrypt-only identity creates keys',
        await rawCall(h.port, { action: 'CreateKey', params: { Alias: 'x' }, who: runtimeA }),
        U,
      )
      refused(
        'token identity, key it may not use',
        await rawCall(h.port, { action: 'Decrypt', params: { CiphertextBlob: h.blobB }, who: sts, token: sts.token }),
        U,
      )
      const T = 'AuthFailure.TokenFailure'
      expect((await decrypt(sts, { token: sts.token })).code).toBe('OK')
      refused('token missing', await decrypt(sts), T)
      refused('token wrong', await decrypt(sts, { token: `${sts.token}x` }), T)
      refused('token prefix', await decrypt(sts, { token: sts.token.slice(0, 10) }), T)
      refused('token of another identity', await decrypt(runtimeA, { token: sts.token }), T)
      refused('token duplicated', await decrypt(sts, { token: sts.token, extraLines: ['X-TC-Token: other'] }), T)
    })
  })
})
