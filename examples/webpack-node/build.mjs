// Runs webpack.config.mjs through the webpack Node API (what `webpack --config webpack.config.mjs` does with webpack-cli installed).
import webpack from 'webpack'
import config from './webpack.config.mjs'

const compiler = webpack(config)
compiler.run((error, stats) => {
  compiler.close(() => {})
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString({ preset: 'errors-only', colors: false }))
    process.exitCode = 1
    return
  }
  console.log(stats.toString({ preset: 'minimal', colors: false }))
})
