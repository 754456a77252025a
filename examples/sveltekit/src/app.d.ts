/// <reference types="unplugin-kms-secrets/types" />
export {}
