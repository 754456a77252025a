// webpack/rspack loader of the build benchmark's floors: with the `?shape` query it returns the generated-module
// shape of a sealed file (lib/generated-shape.cjs), otherwise the JSON file as a JS module. Nothing else.
const { generatedShape } = require('./generated-shape.cjs')

module.exports = function benchFloorLoader(source) {
  if (this.query === '?shape') return generatedShape(source, this.resourcePath.slice(this.rootContext.length + 1))
  return `export default ${source.trim()};\n`
}
