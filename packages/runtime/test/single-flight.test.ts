import { describe, expect, it } from 'vitest'
import { SingleFlight } from '../src/opener/single-flight.js'
import { expectNoUnhandledRejections } from './support/no-unhandled.js'

expectNoUnhandledRejections(20)

describe('SingleFlight', () => {
  it('shares one in-flight promise between concurrent callers', async () => {
    const f = new SingleFlight<number>(true)
    let starts = 0
    const start = async () => ++starts
    const a = f.run('k', start)
    const b = f.run('k', start)
    expect(a.joined).toBe(false)
    expect(b.joined).toBe(true)
    expect(await a.promise).toBe(1)
    expect(await b.promise).toBe(1)
    expect(await f.run('k', start).promise).toBe(1)
    expect(starts).toBe(1)
  })

  it('keeps fulfilled entries only with keep=true', async () => {
    const f = new SingleFlight<number>(false)
    let starts = 0
    await f.run('k', async () => ++starts).promise
    expect(f.size).toBe(0)
    await f.run('k', async () => ++starts).promise
    expect(starts).toBe(2)
  })

  it('drops a rejected entry so the next caller starts afresh', async () => {
    const f = new SingleFlight<string>(true)
    await expect(f.run('k', async () => Promise.reject(new Error('boom'))).promise).rejects.toThrow('boom')
    expect(f.size).toBe(0)
    await expect(f.run('k', async () => 'ok').promise).resolves.toBe('ok')
  })

  it('never leaves an unhandled rejection when nobody awaits a failed flight (sync throw or async reject)', async () => {
    const f = new SingleFlight<string>(true)
    f.run('a', async () => Promise.reject(new Error('async')))
    f.run('b', () => {
      throw new Error('sync')
    })
    await new Promise((r) => setTimeout(r, 5))
    expect(f.size).toBe(0)
  })
})
