// webpack/rspack loader of the build benchmark's "JS hook floor": returns a JSON file as a JS module, nothing else.
module.exports = function jsonAsJs(source) {
  return `export default ${source.trim()};\n`
}
