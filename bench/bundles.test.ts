import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { loadBuildSettings, loadManifest } from '../infra/manifest';
import { BUNDLE_LIMIT_KB, esbuildOptions } from './bundles';

// serverless.yml's esbuild settings build what AWS runs; these keep them (and what they produce) honest.
const root = resolve(__dirname, '..');
const { esbuild } = loadBuildSettings();

describe('bundles as serverless-esbuild builds them', () => {
  it('bundles, minifies and leaves the runtime its AWS SDK', () => {
    expect(esbuild).toMatchObject({ bundle: true, minify: true, platform: 'node', format: 'cjs' });
    expect(esbuild.exclude).toEqual(expect.arrayContaining(['@aws-sdk/*']));
    expect(esbuildOptions(esbuild).external).toEqual(expect.arrayContaining(['@aws-sdk/*']));
  });

  it(`keeps every function at most ${BUNDLE_LIMIT_KB} KB of minified JS, with no AWS SDK, no CloudBase adapter and all of zod nowhere`, async () => {
    const functions = loadManifest(undefined, process.env, 'prod');
    const result = await build({
      ...esbuildOptions(esbuild),
      entryPoints: Object.fromEntries(functions.map((fn) => [fn.name, join(root, `${fn.module}.ts`)])),
      outdir: join(root, '.esbuild', 'bundles-test'),
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const sizes = Object.fromEntries(
      Object.values(result.metafile.outputs)
        .filter((o) => o.entryPoint)
        .map((o) => [o.entryPoint!, o]),
    );
    for (const fn of functions) {
      const out = sizes[join(root, `${fn.module}.ts`).slice(root.length + 1)]!;
      const inputs = Object.keys(out.inputs);
      expect({ fn: fn.name, sdk: inputs.filter((i) => i.includes('@aws-sdk/')) }).toEqual({ fn: fn.name, sdk: [] });
      // CloudBase's adapters are never picked on AWS: none of their code is in an AWS bundle.
      expect({ fn: fn.name, cloudbase: inputs.filter((i) => i.startsWith('lib/adapters/cloudbase/')) }).toEqual({
        fn: fn.name,
        cloudbase: [],
      });
      // The namespace import pulls every locale in; `import * as z` does not.
      expect({ fn: fn.name, locales: inputs.filter((i) => /zod\/v4\/locales\/(?!en\.)/.test(i)).length }).toEqual({
        fn: fn.name,
        locales: 0,
      });
      expect({ fn: fn.name, kb: Math.ceil(out.bytes / 1024) <= BUNDLE_LIMIT_KB }).toEqual({ fn: fn.name, kb: true });
    }
  });
});
