/** Tencent Cloud API credentials; `token` for temporary ones (STS, CVM role, SCF, TKE). */
export interface TencentCredential {
  secretId: string
  secretKey: string
  token?: string | undefined
}

/** A credential with the time it stops working (ms since epoch), when temporary. */
export interface TimedCredential extends TencentCredential {
  expiresAt?: number | undefined
}

/** What a source reports: a credential, or why it had none (never a value). */
export type SourceResult = TimedCredential | { missing: string }

export type Env = Record<string, string | undefined>
