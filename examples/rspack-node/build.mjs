// Runs rspack.config.mjs through the rspack Node API (what `rspack build -c rspack.config.mjs` does with @rspack/cli installed).
import { rspack } from '@rspack/core'
import config from './rspack.config.mjs'

const compiler = rspack(config)
compiler.run((error, stats) => {
  compiler.close(() => {})
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString({ preset: 'errors-only', colors: false }))
    process.exitCode = 1
    return
  }
  console.log(stats.toString({ preset: 'minimal', colors: false }))
})
