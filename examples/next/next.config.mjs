import { withKmsSecrets } from 'unplugin-kms-secrets/next'

/** @type {import('next').NextConfig} */
const nextConfig = {}

export default withKmsSecrets(nextConfig, { keyId: process.env.KMS_SECRETS_KEY_ID })
