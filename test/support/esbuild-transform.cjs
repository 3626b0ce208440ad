// Jest transform: TypeScript and ESM-only packages (middy, jose) to CommonJS with esbuild,
// the same compiler that bundles the functions.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const loader = filename.endsWith('.ts') ? 'ts' : 'js';
    const { code, map } = transformSync(source, {
      loader,
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return require('crypto').createHash('sha1').update(source).update(filename).update('v1').digest('hex');
  },
};
