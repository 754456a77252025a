// The loader of the plugin's webpack/rspack rule: built to dist/webpack-loader.mjs and named by path, never imported.
export { default, raw } from './core/bundlers/webpack-loader'
