// `npm start`: the whole platform on one machine, with demo-able defaults. Ctrl-C stops everything,
// DynamoDB Local's Java process included.
import './quiet-sdk';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { JAVA_MISSING, javaAvailable } from './dynamodb-local';

async function main() {
  // The stack runs its own DynamoDB Local: an endpoint left in the shell must not send the
  // functions elsewhere. (Cleared before the configuration module is first loaded.)
  delete process.env.DYNAMODB_ENDPOINT;
  // Logs readable on a terminal (indented JSON); metrics stay on this machine (no CloudWatch here).
  process.env.POWERTOOLS_DEV ??= 'true';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { isLoopback, loadConfig } = await import('../lib/runtime/config');
  const { startStack } = await import('./stack');
  const config = loadConfig();
  if (!javaAvailable()) {
    console.error(JAVA_MISSING);
    process.exit(1);
  }
  const exposed = !isLoopback(config.host);
  if (exposed && !config.devRoutes) {
    // Beyond loopback the development secrets are refused (their values are in the source): say so now,
    // not at the first request.
    try {
      void config.authSecret;
      void config.paymentWebhookSecret;
    } catch (err) {
      console.error((err as Error).message);
      process.exit(1);
    }
  }
  // The pages, built into web/dist (and /openapi.json beside them), as they deploy.
  const built = spawnSync('npm', ['run', '--silent', 'build:web'], {
    cwd: resolve(__dirname, '..'),
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (built.status !== 0) {
    console.error('Could not build the web app (npm run build:web).');
    process.exit(1);
  }
  const stack = await startStack({
    port: config.port,
    dynamodbPort: config.dynamodbPort,
    dataDir: config.dataDir,
    tableName: config.tableName,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const routes = stack.functions.reduce((n, f) => n + f.http.length, 0);
  const streams = stack.functions.filter((f) => f.streams.length).map((f) => f.name);
  const schedules = stack.functions.flatMap((f) => f.schedules.map((s) => `${f.name} ${s.expression} ${s.timezone}`));
  const reach = exposed
    ? `listening on ${config.host}: reachable from the network; /dev/* ${config.devRoutes ? 'ON (DEV_ROUTES_ON_NETWORK=1: anyone who reaches it can mint tokens)' : 'off'}`
    : 'loopback only';
  console.log(`
Group-buy platform (stage ${config.stage}) is up.
  HTTP API     ${stack.url}  (${routes} routes; ${reach}; try ${stack.url}/health)
  DynamoDB     ${stack.endpoint}  table ${config.tableName}, data in ${config.dataDir}/ (key id in ${config.dataDir}/dynamodb-access-key-id)
  Streams      ${streams.join(', ') || '(none)'}
  Schedules    ${schedules.join('; ') || '(none)'}
${config.devRoutes ? `Log in with: curl -s -XPOST ${stack.url}/dev/login -d '{"userId":"op-1","roles":["operator"]}'\n` : ''}Ctrl-C stops everything.`);
}

main().catch((err: Error) => {
  console.error(err.message === JAVA_MISSING ? err.message : `Could not start: ${err.stack ?? err.message}`);
  process.exit(1);
});
