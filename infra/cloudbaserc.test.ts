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
const manifest = loadManifest();
const awsRoutes = manifest.flatMap((f) => f.http.map((h) => ({ fn: f.name, key: `${h.method} ${h.path}` })));
const awsKeys = new Set(awsRoutes.map((r) => r.key));

/** The function CloudBase's HTTP access calls for a request path: the one of the longest matching access path. */
function accessFunctionOf(path: string): string | undefined {
  const matching = rc.tuangou.httpAccess.filter((a) => path === a.path || path.startsWith(a.path.endsWith('/') ? a.path : `${a.path}/`));
  return matching.sort((a, b) => b.path.length - a.path.length)[0]?.function;
}

/** The functions of serverless.yml that have no CloudBase function, and why. */
const ONLY_ON_AWS: Record<string, string> = {
  dev: 'the local stage only (the sandboxes’ pages)',
  streamRouter: 'CloudBase has no stream: each change is written to the outbox, and each consumer sweeps its own items',
};

describe('cloudbaserc.json', () => {
  test('every consumer and every scheduled job of serverless.yml runs on CloudBase, on a timer', () => {
    const triggered = new Set(rc.functions.filter((f) => (f.triggers ?? []).length === 1).map((f) => f.name));
    const timed = manifest.filter((f) => !(f.name in ONLY_ON_AWS) && (f.queues.length > 0 || f.schedules.length > 0)).map((f) => f.name);
    expect(timed.length).toBeGreaterThan(5);
    expect(timed.filter((name) => !triggered.has(name))).toEqual([]);
    // A consumer's CloudBase entry sweeps the outbox items of the consumer of that name (stream-routes.json).
    for (const name of manifest.filter((f) => f.queues.length > 0).map((f) => f.name))
      expect({ name, entry: readFileSync(join(ROOT, rc.tuangou.entries[name]!), 'utf8') }).toEqual({
        name,
        entry: expect.stringContaining(`outboxFunction('${name}'`),
      });
  });

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
      // Timer triggers: CloudBase's 7-field cron (seconds first, year last), evaluated in UTC+8; one a function at most.
      expect((fn.triggers ?? []).length).toBeLessThanOrEqual(1);
      for (const t of fn.triggers ?? []) {
        expect(t.type).toBe('timer');
        expect(t.config.split(' ')).toHaveLength(7);
      }
      expect(existsSync(join(ROOT, rc.tuangou.entries[name]!))).toBe(true);
    },
  );

  test('each HTTP route of a function on CloudBase is served there, by the function its HTTP access path picks', async () => {
    const served = new Map<string, string>();
    for (const fn of rc.functions) {
      // An HTTP entry exports the table it serves (timer and outbox entries serve none).
      const { routes = {} } = (await import(join(ROOT, rc.tuangou.entries[fn.name]!))) as { routes?: Record<string, unknown> };
      for (const key of Object.keys(routes)) {
        // Only routes of API.md (the AWS functions' routes), each served by one function…
        expect({ key, onAws: awsKeys.has(key), servedBy: served.get(key) }).toEqual({ key, onAws: true, servedBy: undefined });
        served.set(key, fn.name);
        // …which is the one CloudBase's HTTP access sends the route's requests to (the longest access path
        // that is a prefix of the path, segment by segment).
        // (`ANY *`, the health function's catch-all, is whatever path no other route has.)
        const path = key === 'ANY *' ? '/no-route-has-this' : key.split(' ')[1]!.replace(/\{(\w+)\}/g, 'v-$1');
        expect({ key, routedTo: accessFunctionOf(path) }).toEqual({ key, routedTo: fn.name });
      }
    }
    // Every route of every AWS function is served there (by a function of the same name, or by the function that
    // owns the route's path prefix there: the HTTP access service routes by prefix only), but the local stage's.
    const deployed = new Set(rc.functions.map((f) => f.name));
    const missing = awsRoutes.filter((r) => !(r.fn in ONLY_ON_AWS) && !served.has(r.key)).map((r) => r.key);
    expect(missing).toEqual([]);
    // No HTTP access path is claimed by two functions, nor names a function that is not deployed.
    const paths = rc.tuangou.httpAccess.map((a) => a.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const a of rc.tuangou.httpAccess) expect(deployed).toContain(a.function);
  });

  test('builds each function into one bundle that loads, and answers an HTTP access event, with nothing else installed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cloudbase-build-'));
    try {
      const bundles = await buildFunctions(undefined, out);
      expect(bundles.map((b) => b.name)).toEqual(rc.functions.map((f) => f.name));
      const orders = bundles.find((b) => b.name === 'orders');
      const env = { PATH: process.env.PATH, STAGE: 'local', DATA_STORE: 'cloudbase', CLOUDBASE_ENV: 'bundle-test', POWERTOOLS_DEV: 'true' };
      // Every bundle loads on its own (DynamoDB's adapters are empty modules there: none may be reached while loading).
      const loads = `for (const f of ${JSON.stringify(bundles.map((b) => b.file))}) if (typeof require(f).main !== 'function') throw new Error(f)`;
      execFileSync(process.execPath, ['-e', loads], { cwd: out, env, encoding: 'utf8' });
      // The SSM client (secrets on AWS) is left out: CloudBase functions read theirs from their environment.
      for (const b of bundles) expect(readFileSync(b.file, 'utf8')).not.toContain('AmazonSSM');
      const event = JSON.parse(readFileSync(join(ROOT, 'events/cloudbase/orders-get.json'), 'utf8')) as { headers: Record<string, string> };
      delete event.headers.authorization;
      // A separate Node process, from a directory with no node_modules: the bundle must carry everything.
      const script = `require(${JSON.stringify(orders!.file)}).main(${JSON.stringify(event)}, {}).then(r => process.stdout.write(JSON.stringify(r)))`;
      const answer = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: out, env, encoding: 'utf8' })) as {
        statusCode: number;
        body: string;
      };
      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
