// What the tests of a function's CloudBase entry start from: the stand-in, with the environment cloudbaserc.json
// gives the function (DATA_STORE=cloudbase) and, for tests only, its database calls sent to the stand-in; and
// the state they order from: an active leader and its open group buy of one product.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import { uniqueIndexes } from '../../lib/adapters/cloudbase/collections';
import { APPLES, openGroupBuyRecord } from '../support/seeds';
import { CloudBaseStandIn } from './standin';

const ENV = 'tuangou-test';
let saved: NodeJS.ProcessEnv | undefined;

/** Starts the stand-in and points the function's environment at it; modules load afresh (they read it as they load). */
export async function startFunctionStandIn(standIn = new CloudBaseStandIn({ uniqueIndexes: uniqueIndexes() })): Promise<CloudBaseStandIn> {
  saved = { ...process.env };
  await standIn.start();
  process.env.DATA_STORE = 'cloudbase';
  process.env.CLOUDBASE_ENV = ENV;
  process.env.CLOUDBASE_SERVICE_URL = standIn.url;
  jest.resetModules();
  return standIn;
}

/** Stops the stand-in and puts the environment back as it was. */
export async function stopFunctionStandIn(standIn: CloudBaseStandIn): Promise<void> {
  await standIn.stop();
  if (saved) process.env = saved;
}

/**
 * The file's stand-in, as most tests of a CloudBase entry use it: started, with the environment pointed at it,
 * before the file's tests (by a beforeAll registered where this is called, so a hook registered later finds it
 * running) and stopped after them.
 */
export function useFunctionStandIn(): CloudBaseStandIn {
  const standIn = new CloudBaseStandIn({ uniqueIndexes: uniqueIndexes() });
  beforeAll(() => startFunctionStandIn(standIn));
  afterAll(() => stopFunctionStandIn(standIn));
  return standIn;
}

/** The stand-in's database as the function's adapters reach it (to seed what a test starts from). */
export async function standInDb(standIn: CloudBaseStandIn) {
  const { makeCloudBaseDb } = await import('../../lib/adapters/cloudbase/db');
  return makeCloudBaseDb({ env: ENV, serviceUrl: standIn.url });
}

/**
 * Leader L1, active, and its open group buy GB1 of apples (`stockLimit` bags), written as the stores write them
 * at `at`; the cutoff is 6 hours from now, the pickup the day after.
 */
export async function seedGroupBuyOfApples(standIn: CloudBaseStandIn, at: Date, stockLimit: number): Promise<GroupBuy> {
  const { cloudbaseGroupBuyStore } = await import('../../lib/adapters/cloudbase/group-buys');
  const db = await standInDb(standIn);
  await db.collection('leaders').doc('L1').set({ leaderId: 'L1', userId: 'u-leader', referralCode: 'R1', status: 'active', touches: 0 });
  const groupBuy = openGroupBuyRecord(
    {
      groupBuyId: 'GB1',
      leaderId: 'L1',
      cutoffAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
      pickupDate: new Date(Date.now() + 30 * 3600_000).toISOString().slice(0, 10),
      items: [{ ...APPLES, stockLimit }],
    },
    at.toISOString(),
  );
  const audit: AuditEvent = {
    entityId: 'GB1',
    entityType: 'groupBuy',
    action: 'groupBuy.created',
    actor: 'u-leader',
    at: at.toISOString(),
  };
  if ((await cloudbaseGroupBuyStore(db).create(groupBuy, audit)) !== 'created') throw new Error('group buy GB1 not created');
  return groupBuy;
}

/**
 * A sample HTTP access event of `events/cloudbase/` made into the request a test sends: its path, body (as
 * JSON), query and headers replaced where given, the bearer token set (or, with `token: null`, none sent).
 */
export function accessEvent(
  sample: string,
  request: { path?: string; body?: unknown; query?: Record<string, string>; token?: string | null; headers?: Record<string, string> },
): CloudBaseHttpEvent {
  const event = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', sample), 'utf8')) as CloudBaseHttpEvent;
  const headers: Record<string, string | undefined> = { ...event.headers, ...request.headers };
  if (request.token !== undefined) headers.authorization = request.token === null ? undefined : `Bearer ${request.token}`;
  const body = request.body === undefined ? event.body : JSON.stringify(request.body);
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(body ?? ''));
  return {
    ...event,
    ...(request.path ? { path: request.path } : {}),
    ...(request.query ? { queryStringParameters: request.query } : {}),
    headers,
    body,
  };
}
