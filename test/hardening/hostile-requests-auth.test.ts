import { describe, expect, it } from 'vitest'
import { useHostileKms } from './support/hostile-kms.js'
import { newIdentity } from './support/kms.js'
import { rawCall, sendRaw, signedRequest } from './support/tc3.js'

/** Attacks on local-kms authentication and authorization; a legitimate client decrypts in parallel with each. */
const h = useHostileKms('hostile-requests-auth')
const { figures, admin, runtimeA, runtimeB, sts, skew, plainA, keyA, underAttack, refused, decrypt } = h

describe('signatures: replay, expiry, scope', () => {
  it('a captured signed request replays within the 5-minute window (as Tencent), and not after it', async () => {
    const captured = signedRequest(h.port, { action: 'Decrypt', params: { CiphertextBlob: h.blobA }, who: runtimeA })
    await underAttack('replay', async () => {
      const replays = await Promise.all(Array.from({ length: 20 }, () => sendRaw(h.port, captured)))
      for (const r of replays) expect(r.json.Response?.Plaintext).toBe(plainA)
      figures.set('replaysAcceptedWithinWindow', replays.length)
    })
    // Age the server clock (everyone's requests would now be stale, so no parallel client here).
    skew.ms = 301_000
    try {
      refused('replay after 301 s', await sendRaw(h.port, captured), 'AuthFailure.SignatureExpire')
    } finally {
      skew.ms = 0
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
    const now = Math.floor(Date.now() / 1000)
    await underAttack('timestamps and scope', async () => {
      refused('301 s old', await decrypt(runtimeA, { timestamp: now - 301 }), 'AuthFailure.SignatureExpire')
      refused('301 s ahead', await decrypt(runtimeA, { timestamp: now + 301 }), 'AuthFailure.SignatureExpire')
      refused('1 year old', await decrypt(runtimeA, { timestamp: now - 31_536_000 }), 'AuthFailure.SignatureExpire')
      expect((await decrypt(runtimeA, { timestamp: now - 290 })).code).toBe('OK')
      expect((await decrypt(runtimeA, { timestamp: now + 290 })).code).toBe('OK')
      refused('service cvm', await decrypt(runtimeA, { service: 'cvm' }), 'AuthFailure.SignatureFailure')
      refused('service sts', await decrypt(runtimeA, { service: 'sts' }), 'AuthFailure.SignatureFailure')
      refused('unknown SecretId', await decrypt(newIdentity('Nobody')), 'AuthFailure.SecretIdNotFound')
      refused('wrong SecretKey', await decrypt({ ...runtimeA, secretKey: 'x' }), 'AuthFailure.SignatureFailure')
      // Region is not part of the TC3 scope; local-kms serves one region and ignores the header.
      expect((await decrypt(runtimeA, { region: 'ap-beijing' })).code).toBe('OK')
    })
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
