export type { NextConfigFunction, NextConfigLike, NextKmsSecretsOptions } from './core/next/config'
export { withKmsSecrets } from './core/next/config'
