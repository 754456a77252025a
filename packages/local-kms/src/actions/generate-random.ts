import { randomBytes } from 'node:crypto'
import { defineAction } from './define.js'
import { checkRange } from './values.js'

/** GenerateRandom: 1–1024 random bytes, base64. Needs no key. */
export const GenerateRandom = defineAction({
  name: 'GenerateRandom',
  fields: { NumberOfBytes: { type: 'integer', required: true } },
  async handle(p) {
    const length = checkRange(p.NumberOfBytes, 1, 1024, 'InvalidParameterValue', 'NumberOfBytes')
    return { Plaintext: randomBytes(length).toString('base64') }
  },
})
