import { createHash } from 'node:crypto'
import features from '../../config/features.secret.yaml'

// A YAML secret: the flags are config, the signing key stays on the server.
export default defineEventHandler(() => ({
  ok: true,
  flags: features.flags,
  signingKeySha256: createHash('sha256').update(features.signingKey).digest('hex').slice(0, 12),
}))
