// What the CloudBase entry tests of the money functions (payments, refunds, refund-uncollected) share: the
// real-shaped HTTP access events of events/cloudbase/, a resident who orders apples through the orders entry,
// and the sandbox provider taking the money and sending its signed notification to the payments entry.
// `moneyEntries()` is called once the stand-in of `useFunctionStandIn()` runs (the entries read the environment as they load).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../../lib/runtime/auth';
import type { HttpResult } from '../../lib/runtime/http';
import type { CloudBaseContext, CloudBaseHttpEvent, CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';

const read = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8'));
export const sample = (name: string) => read(name) as CloudBaseHttpEvent;

/** What a timer trigger passes (events/cloudbase/timer.json), and a context of `function` with a minute to run. */
export const timerEvent = () => read('timer.json') as CloudBaseTimerEvent;
export const timerContext = (fn: string, requestId: string): CloudBaseContext => ({
  request_id: requestId,
  function_name: fn,
  time_limit_in_ms: 60_000,
});

/** A sample event sent by the holder of `token` to `path`, with `body` (or the sample's) and extra headers. */
export function asCaller(
  name: string,
  token: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): CloudBaseHttpEvent {
  const event = sample(name);
  return {
    ...event,
    path,
    headers: { ...event.headers, authorization: `Bearer ${token}`, ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  };
}

export const bodyOf = <T = Record<string, unknown>>(result: HttpResult) => JSON.parse(result.body!) as T;

/** The entries and the tokens a test of the money functions calls them with. */
export async function moneyEntries() {
  const { main: orders } = await import('../../functions/orders/cloudbase');
  const { main: payments } = await import('../../functions/payments/cloudbase');
  const { sandbox } = await import('../../lib/payments/wiring');
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { config } = await import('../../lib/runtime/config');
  const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');
  const shareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    expiresAt: new Date(Date.now() + 2 * 86400_000),
  });

  /** The resident orders `quantity` bags of GB1's apples through the orders entry (Idempotency-Key `key`). */
  async function placeOrder(token: string, key: string, quantity = 1) {
    const event = sample('orders-place.json');
    const body = { ...(JSON.parse(event.body!) as object), shareToken, items: [{ productId: 'apple', quantity }] };
    const placed = await orders(asCaller('orders-place.json', token, '/orders', { body, headers: { 'idempotency-key': key } }));
    expect([placed.statusCode, placed.statusCode === 201 ? '' : placed.body]).toEqual([201, '']);
    return bodyOf<{ orderId: string; totalFen: number; status: string }>(placed);
  }

  /** The sandbox takes `amountFen` for the order, and its signed notification reaches the payments entry: `deliver()` (again). */
  async function pay(orderId: string, amountFen: number, paymentId: string) {
    const notify = await sandbox.charge(orderId, amountFen, paymentId);
    const event = { ...sample('payments-notify.json'), body: notify.rawBody };
    const deliver = () => payments({ ...event, headers: { ...event.headers, ...notify.headers } });
    return { rawBody: notify.rawBody, deliver };
  }

  return {
    orders,
    payments,
    placeOrder,
    pay,
    token: (userId: string, roles: Principal['roles'] = []) => stageIdentity.issue({ userId, roles }),
  };
}
