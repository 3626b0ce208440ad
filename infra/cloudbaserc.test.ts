// cloudbaserc.json is the one description of what runs on CloudBase, as serverless.yml is for AWS: every
// function it names has an entry that serves routes of API.md through the HTTP access paths it lists, runs on
// the CloudBase adapters, and builds into a bundle that answers a real-shaped event on its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFunctions, loadCloudBaseRc } from '../scripts/cloudbase';
import { loadManifest } from './manifest';

const ROOT = resolve(__dirname, '..');
const rc = loadCloudBaseRc();
const awsRoutes = loadManifest().flatMap((f) => f.http.map((h) => ({ fn: f.name, key: `${h.method} ${h.path}` })));

describe('cloudbaserc.json', () => {
  test.each(rc.functions.map((f) => [f.name, f] as const))(
    '%s: an event function on the CloudBase adapters, within the limits',
    (name, fn) => {
      expect(fn.handler).toBe('index.main');
      expect(fn.runtime).toMatch(/^Nodejs(1[89]|2\d)\./);
      // CloudBase stops a function at 60 s at most.
      expect(fn.timeout).toBeGreaterThan(0);
      expect(fn.timeout).toBeLessThanOrEqual(60);
      expect(fn.envVariables?.DATA_STORE).toBe('cloudbase');
      // Secrets are filled in from the deployer's environment when deploying, never written here.
      for (const [key, value] of Object.entries(fn.envVariables ?? {}))
        if (/SECRET|KEY/.test(key)) expect(value).toMatch(/^\{\{env\.\w+\}\}$/);
      // Timer triggers: CloudBase's 7-field cron (seconds first, year last), evaluated in UTC+8.
      for (const t of fn.triggers ?? []) {
        expect(t.type).toBe('timer');
        expect(t.config.split(' ')).toHaveLength(7);
      }
      expect(existsSync(join(ROOT, rc.tuangou.entries[name]!))).toBe(true);
    },
  );

  test('routes through HTTP access exactly the AWS routes of each function, each to the function serving it on AWS', async () => {
    for (const fn of rc.functions) {
      // A timer function serves no route (and has no HTTP access path).
      const { routes = {} } = (await import(join(ROOT, rc.tuangou.entries[fn.name]!.replace(/cloudbase\.ts$/, 'handler.ts')))) as {
        routes?: Record<string, unknown>;
      };
      const served = Object.keys(routes).sort();
      // The same table as on AWS…
      expect(served).toEqual(
        awsRoutes
          .filter((r) => r.fn === fn.name)
          .map((r) => r.key)
          .sort(),
      );
      // …and every one of its paths is under an HTTP access path of this function (a path routes all below it).
      const prefixes = rc.tuangou.httpAccess.filter((a) => a.function === fn.name).map((a) => a.path);
      for (const key of served) {
        const path = key.split(' ')[1]!;
        expect({ key, routed: prefixes.some((p) => path === p || path.startsWith(`${p}/`)) }).toEqual({ key, routed: true });
      }
    }
    // No HTTP access path is claimed by two functions, nor names a function that is not deployed.
    const paths = rc.tuangou.httpAccess.map((a) => a.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const a of rc.tuangou.httpAccess) expect(rc.functions.map((f) => f.name)).toContain(a.function);
  });

  test('builds each function into one bundle that answers an HTTP access event with nothing else installed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cloudbase-build-'));
    try {
      const [orders] = await buildFunctions(['orders'], out);
      expect(orders!.bytes).toBeGreaterThan(0);
      const event = JSON.parse(readFileSync(join(ROOT, 'events/cloudbase/orders-get.json'), 'utf8')) as { headers: Record<string, string> };
      delete event.headers.authorization;
      // A separate Node process, from a directory with no node_modules: the bundle must carry everything.
      const script = `require(${JSON.stringify(orders!.file)}).main(${JSON.stringify(event)}, {}).then(r => process.stdout.write(JSON.stringify(r)))`;
      const answer = JSON.parse(
        execFileSync(process.execPath, ['-e', script], {
          cwd: out,
          env: { PATH: process.env.PATH, STAGE: 'local', DATA_STORE: 'cloudbase', CLOUDBASE_ENV: 'bundle-test', POWERTOOLS_DEV: 'true' },
          encoding: 'utf8',
        }),
      ) as { statusCode: number; body: string };
      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
