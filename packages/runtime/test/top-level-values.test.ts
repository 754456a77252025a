import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { sealAll } from './support/seal.js'

describe('a json/yaml secret opens to any top-level JSON value, as a JSON import does', () => {
  it.each<[string, 'json' | 'yaml', string, unknown]>([
    ['array', 'json', '[{"host":"a"},{"host":"b"}]', [{ host: 'a' }, { host: 'b' }]],
    ['string', 'json', '"a token value"', 'a token value'],
    ['number', 'json', '42', 42],
    ['null', 'json', 'null', null],
    ['yaml list', 'yaml', '- a\n- b\n', ['a', 'b']],
  ])('%s', async (_, format, text, value) => {
    const kms = createFakeKms()
    const id = `v.secret.${format}`
    const { envelopes } = await sealAll(kms, [{ id, format, text }])
    const opener = createSecretOpener({ provider: kms })
    expect(await opener.open(envelopes[0]!, { file: id })).toEqual(value)
    opener.close()
  })
})
