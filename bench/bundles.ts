// Every function's bundle as serverless-esbuild builds it for AWS (serverless.yml `custom.esbuild`, the prod
// stage's functions), its minified size, its biggest packages, and its cold load time: a fresh node process
// requiring it with the provider's NODE_OPTIONS, the AWS SDK resolved outside the bundle as the nodejs22.x
// runtime provides it. The yardstick (bench/reference-function.ts: middy + zod + DocumentClient) is built
// and loaded the same way, interleaved with the others, in the same run.
import type { BuildOptions, Metafile } from 'esbuild';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBuildSettings, loadManifest } from '../infra/manifest';
import { round } from './harness';

/** The limit of minified JS per function. */
export const BUNDLE_LIMIT_KB = 250;

export interface BundleFigures {
  kb: number;
  loadMs: number;
  /** The packages (or repository folders) that weigh most in it, KB each. */
  biggest: Record<string, number>;
}

export interface BundlesResult {
  config: { loads: number; limitKb: number; esbuild: Record<string, unknown>; nodeOptions: string };
  reference: BundleFigures;
  functions: Record<string, BundleFigures>;
  largest: { name: string; kb: number };
  overLimit: string[];
  /** Each function's load time over the reference's, the median and the worst. */
  loadRatio: { median: number; max: number };
  checks: Record<string, boolean>;
}

// serverless-esbuild's own settings; the rest of `custom.esbuild` goes to esbuild as it is.
const PLUGIN_ONLY = new Set([
  'exclude',
  'packager',
  'packagerOptions',
  'watch',
  'keepOutputDirectory',
  'installExtraArgs',
  'nativeZip',
  'zipConcurrency',
  'concurrency',
  'outputWorkFolder',
  'outputBuildFolder',
  'disposeContext',
  'skipBuild',
]);

/**
 * The esbuild options serverless-esbuild derives from `custom.esbuild`: its `exclude` list is external, and
 * `plugins` names a file (from the service's root) that exports them.
 */
export function esbuildOptions(settings: Record<string, unknown>): BuildOptions {
  const options = Object.fromEntries(Object.entries(settings).filter(([k]) => !PLUGIN_ONLY.has(k))) as BuildOptions;
  const exclude = (settings.exclude as string[] | undefined) ?? ['aws-sdk'];
  const plugins =
    typeof settings.plugins === 'string'
      ? (require(resolve(__dirname, '..', settings.plugins)) as NonNullable<BuildOptions['plugins']>)
      : options.plugins;
  return { ...options, external: [...(options.external ?? []), ...exclude], ...(plugins ? { plugins } : {}) };
}

function biggest(meta: Metafile, top = 4): Record<string, number> {
  const output = Object.values(meta.outputs).find((o) => o.entryPoint)!;
  const byPackage: Record<string, number> = {};
  for (const [path, input] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
    byPackage[pkg] = (byPackage[pkg] ?? 0) + input.bytesInOutput;
  }
  return Object.fromEntries(
    Object.entries(byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, n]) => [k, round(n / 1024, 1)]),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchBundles(options: { loads: number }): Promise<BundlesResult> {
  const root = resolve(__dirname, '..');
  const { esbuild, nodeOptions } = loadBuildSettings();
  const base = esbuildOptions(esbuild);
  // The stage AWS runs: local-only functions (dev) are not deployed, so not measured.
  const entries: [string, string][] = [
    ['(reference)', join(root, 'bench', 'reference-function.ts')],
    ...loadManifest(undefined, process.env, 'prod').map((fn): [string, string] => [fn.name, join(root, `${fn.module}.ts`)]),
  ];
  const out = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const built: Record<string, { file: string; kb: number; biggest: Record<string, number>; sdk: boolean }> = {};
    for (const [name, entry] of entries) {
      const file = join(out, name.replace(/[()]/g, ''), 'handler.js');
      const result = await build({ ...base, entryPoints: [entry], outfile: file, metafile: true, logLevel: 'error' });
      const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('.js'))!]!.bytes;
      const sdk = Object.keys(result.metafile.inputs).some((path) => path.includes('node_modules/@aws-sdk/'));
      built[name] = { file, kb: round(bytes / 1024, 1), biggest: biggest(result.metafile), sdk };
    }
    // Loads interleaved, round by round, so that the machine's load falls on all alike.
    const loads: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, []]));
    const env = {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      // The runtime's SDK: bundles leave @aws-sdk/* out, node finds it in the repository's node_modules here.
      NODE_PATH: join(root, 'node_modules'),
      // The local stage's development secrets: in AWS they are in the environment once SSM has been read.
      STAGE: 'local',
      TABLE_NAME: 'bench',
      AWS_REGION: 'ap-east-1',
      POWERTOOLS_DEV: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const probe = 'const t=performance.now();require(process.env.BUNDLE);process.stdout.write(String(performance.now()-t))';
    for (let r = 0; r < options.loads; r++) {
      for (const [name] of entries) {
        const ms = Number(
          execFileSync(process.execPath, ['-e', probe], {
            env: { ...env, BUNDLE: built[name]!.file },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        );
        loads[name]!.push(ms);
      }
    }
    const figures = (name: string): BundleFigures => ({
      kb: built[name]!.kb,
      loadMs: round(median(loads[name]!), 1),
      biggest: built[name]!.biggest,
    });
    const reference = figures('(reference)');
    const functions = Object.fromEntries(entries.slice(1).map(([name]) => [name, figures(name)]));
    const list = Object.entries(functions);
    const largest = list.reduce((a, b) => (b[1].kb > a[1].kb ? b : a));
    const overLimit = list.filter(([, f]) => f.kb > BUNDLE_LIMIT_KB).map(([name]) => name);
    const ratios = list.map(([, f]) => f.loadMs / reference.loadMs);
    return {
      config: { loads: options.loads, limitKb: BUNDLE_LIMIT_KB, esbuild, nodeOptions },
      reference,
      functions,
      largest: { name: largest[0], kb: largest[1].kb },
      overLimit,
      loadRatio: { median: round(median(ratios)), max: round(Math.max(...ratios)) },
      checks: {
        everyFunctionBuilt: list.length === entries.length - 1,
        awsSdkLeftToTheRuntime: entries.every(([name]) => !built[name]!.sdk),
        [`everyFunctionAtMost${BUNDLE_LIMIT_KB}KB`]: overLimit.length === 0,
      },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
