import features from '../../config/features.secret.yaml'
import { proofOf } from '../utils/proof'

// A YAML secret: the flags are config, the signing key stays on the server (not even a hash of it is sent).
export default defineEventHandler(() => ({
  ok: true,
  flags: features.flags,
  signingKeyLength: features.signingKey.length,
  ...proofOf({ signingKey: features.signingKey }),
}))
