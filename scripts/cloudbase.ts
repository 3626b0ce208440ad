// The CloudBase build: one bundle per function of cloudbaserc.json (`.cloudbase/functions/<name>/index.js`,
// everything it needs inside, since CloudBase installs nothing), the counterpart of `serverless package`.
// `tsx scripts/cloudbase.ts build` bundles; `tsx scripts/cloudbase.ts http-access` prints the `tcb service
// create` commands that route API.md's paths to the functions; `collections` lists the collections and indexes
// to create.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cloudbasePlugins } from '../infra/esbuild-plugins';

const ROOT = resolve(__dirname, '..');

export interface CloudBaseRc {
  envId: string;
  functionRoot: string;
  functions: {
    name: string;
    handler: string;
    runtime: string;
    timeout: number;
    memorySize?: number;
    envVariables?: Record<string, string>;
    triggers?: { name: string; type: string; config: string }[];
  }[];
  tuangou: {
    entries: Record<string, string>;
    httpAccess: { path: string; function: string }[];
    /** Files a function reads at run time (serverless.yml's `package.patterns`), copied beside its bundle. */
    assets?: Record<string, string[]>;
  };
}

export const loadCloudBaseRc = (): CloudBaseRc => JSON.parse(readFileSync(join(ROOT, 'cloudbaserc.json'), 'utf8')) as CloudBaseRc;

/** Bundles each function (or those named) into the function root; returns each bundle's path and size. */
export async function buildFunctions(names?: string[], outRoot?: string): Promise<{ name: string; file: string; bytes: number }[]> {
  const rc = loadCloudBaseRc();
  const root = outRoot ?? join(ROOT, rc.functionRoot);
  const out: { name: string; file: string; bytes: number }[] = [];
  for (const fn of rc.functions.filter((f) => !names || names.includes(f.name))) {
    const entry = rc.tuangou.entries[fn.name];
    if (!entry) throw new Error(`cloudbaserc.json names no entry for ${fn.name}`);
    const dir = join(root, fn.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'index.js');
    await build({
      entryPoints: [join(ROOT, entry)],
      outfile: file,
      bundle: true,
      minify: true,
      sourcemap: false,
      platform: 'node',
      // The oldest Node.js runtime cloudbaserc.json may name.
      target: 'node18',
      format: 'cjs',
      logLevel: 'warning',
      // The function's package root, where its assets are copied (Lambda names it LAMBDA_TASK_ROOT; here it is
      // the directory of the one bundle, which the source's `__dirname`s no longer describe).
      define: { 'process.env.LAMBDA_TASK_ROOT': '__dirname' },
      // DynamoDB's adapters are never picked on CloudBase: empty modules here (infra/esbuild-plugins.js).
      plugins: cloudbasePlugins,
    });
    for (const asset of rc.tuangou.assets?.[fn.name] ?? []) {
      // A missing one is told, not fatal: the web shell exists only after `npm run build:web` (its reader falls back).
      if (!existsSync(join(ROOT, asset))) {
        console.warn(`${fn.name}: ${asset} is missing (not copied)`);
        continue;
      }
      mkdirSync(dirname(join(dir, asset)), { recursive: true });
      copyFileSync(join(ROOT, asset), join(dir, asset));
    }
    out.push({ name: fn.name, file, bytes: statSync(file).size });
  }
  return out;
}

async function cli(args: string[]) {
  const [command, ...rest] = args;
  if (command === 'build') {
    for (const b of await buildFunctions(rest.length ? rest : undefined))
      console.log(`${b.name}: ${b.file} (${Math.round(b.bytes / 1024)} KB)`);
  } else if (command === 'http-access') {
    for (const a of loadCloudBaseRc().tuangou.httpAccess) console.log(`tcb service create -p ${a.path} -f ${a.function}`);
  } else if (command === 'collections') {
    // What to create in the environment's document database (the console, or its API): every collection, and
    // the indexes its queries need (the unique ones are guards: without them two leaders could share a user).
    const { COLLECTIONS, INDEXES } = await import('../lib/adapters/cloudbase/collections');
    for (const name of Object.values(COLLECTIONS)) {
      const indexes = INDEXES.filter((i) => i.collection === name);
      console.log([name, ...indexes.map((i) => `  index (${i.fields.join(', ')})${i.unique ? ' UNIQUE' : ''}: ${i.why}`)].join('\n'));
    }
  } else {
    console.error('usage: tsx scripts/cloudbase.ts build [function…] | http-access | collections');
    process.exitCode = 2;
  }
}

if (require.main === module) void cli(process.argv.slice(2));
