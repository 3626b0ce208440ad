// Least privilege, checked against what really happens: the integration suite records every AWS action
// each function performs through the local stack (infra/aws-calls.ts); serverless.yml must grant each
// function exactly those, no more and no fewer. DynamoDB Local checks no IAM at all, so without this a
// missing grant fails only in AWS (as closeGroupBuys's Query on the table would have, the first night).
// Runs after the integration suite (`npm test`), on the recordings it left in AWS_CALLS_DIR.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCall } from '../../infra/aws-calls';
import type { IamStatement } from '../../infra/manifest';
import { loadManifest } from '../../infra/manifest';
import { PROVIDER_SECRETS } from '../../lib/runtime/config';
import { CONSUMER_ROUTES, queueLogicalId } from '../../lib/runtime/stream-routes';
import { AWS_CALLS_DIR } from '../support/aws-calls-dir';

/** What a grant's resource names: the table, its indexes, a consumer's queue, a secret; undefined for the rest. */
function resourceOf(resource: unknown): string | undefined {
  if (resource === '${self:custom.tableArn}') return 'table';
  if (resource === '${self:custom.tableIndexesArn}') return 'index';
  const sub = (resource as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  const parameter = typeof sub === 'string' ? /:parameter\/[^/]+\/[^/]+\/([A-Z0-9_]+)$/.exec(sub) : null;
  if (parameter) return `secret:${parameter[1]}`;
  const getAtt = (resource as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  const logicalId = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
  if (logicalId === 'Table') return 'table';
  const consumer = CONSUMER_ROUTES.find((r) => queueLogicalId(r.name) === logicalId);
  return consumer ? `queue:${consumer.name}` : undefined;
}

/** The function's grants that its code uses (not the ones a trigger's service needs, e.g. the scheduler's InvokeFunction). */
function grantsOf(statements: IamStatement[]): Set<string> {
  const grants = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const action of actions) {
      if (!/^(dynamodb|sqs|ssm):/.test(action)) continue;
      for (const r of resources) {
        const resource = resourceOf(r);
        if (resource) grants.add(`${action} ${resource}`);
      }
    }
  }
  return grants;
}

/** A recorded queue is `<table>-<consumer>`: the consumer is what serverless.yml names. */
function normalise(call: AwsCall): string {
  if (!call.resource.startsWith('queue:')) return `${call.action} ${call.resource}`;
  const consumer = CONSUMER_ROUTES.find((r) => call.resource.endsWith(`-${r.name}`));
  return `${call.action} queue:${consumer?.name ?? call.resource}`;
}

function recorded(): Map<string, Set<string>> {
  const byFunction = new Map<string, Set<string>>();
  for (const file of existsSync(AWS_CALLS_DIR) ? readdirSync(AWS_CALLS_DIR) : []) {
    for (const line of readFileSync(join(AWS_CALLS_DIR, file), 'utf8').split('\n')) {
      if (!line) continue;
      const call = JSON.parse(line) as AwsCall;
      byFunction.set(call.fn, (byFunction.get(call.fn) ?? new Set()).add(normalise(call)));
    }
  }
  return byFunction;
}

const functions = loadManifest();
const calls = recorded();

test('the integration suite left recordings of the functions’ AWS calls', () => {
  expect(calls.size).toBeGreaterThan(0);
});

/** A real provider's secret is never read locally: its grant is taken on trust. */
const providerOnly = (grant: string) => PROVIDER_SECRETS.some((name) => grant === `ssm:GetParameters secret:${name}`);

test.each(functions.map((f) => [f.name, f] as const))('%s is granted exactly the AWS actions it performs', (name, fn) => {
  const performed = [...(calls.get(name) ?? [])].sort();
  const granted = [...grantsOf(fn.iam)].sort();
  expect({
    fn: name,
    missing: performed.filter((c) => !granted.includes(c)),
    unused: granted.filter((g) => !performed.includes(g) && !providerOnly(g)),
  }).toEqual({ fn: name, missing: [], unused: [] });
});

test.each(functions.map((f) => [f.name, f] as const))('%s lists in SECRETS exactly the secrets it is granted', (name, fn) => {
  const listed = ((fn.environment.SECRETS as string | undefined) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
  const granted = [...grantsOf(fn.iam)]
    .filter((g) => g.startsWith('ssm:GetParameters secret:'))
    .map((g) => g.slice('ssm:GetParameters secret:'.length))
    .sort();
  expect({ fn: name, secrets: listed }).toEqual({ fn: name, secrets: granted });
});
