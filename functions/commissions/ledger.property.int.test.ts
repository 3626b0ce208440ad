// Property: whatever sequence of orders, payments, pickups, refunds, uncollected refunds, shortfalls, duplicate or retried stream
// deliveries and payout runs happens, the ledger equals a recomputation from the orders to the fen,
// reconciliation finds nothing, no entry is booked twice and no entry is paid twice.
//
// Each fast-check run works on a fresh recruiter + recruited leader pair (so runs are independent and
// a failing run shrinks on its own); the products are made once. Reproduce a failure with
//   FC_SEED=<seed> FC_PATH=<path> npx jest functions/commissions/ledger.property.int.test.ts --selectProjects integration
// and add FC_SHRINK=1 to let fast-check shrink it (slow: every attempt is a real run), FC_RUNS=n to change the run count,
// FC_LOG=1 to print what every run did, FC_PLAN='<json>' to replay one plan (a counterexample) exactly,
// FC_SKIP=<kind,…> to leave command kinds out.
//
// Minimal counterexamples found so far (replay with FC_PLAN):
// - a retried batch re-books a refund that had changed no floor, after a later refund was booked:
//   {"orders":[[1,0,0,0]],"beforeCutoff":[],"pickedUpAtOnce":[true,false,false,false],"commands":[{"kind":"refund","order":0,"amount":{"mode":"fen","fen":1}},{"kind":"refund","order":0,"amount":{"mode":"rest"}},{"kind":"redeliver","order":0,"from":2}]}
// - approve and reject of one payout at once: reject answers 409 but has put the entries back, so they are paid again:
//   {"orders":[[1,0,0,0]],"beforeCutoff":[],"pickedUpAtOnce":[true,false,false,false],"commands":[{"kind":"approveAndReject","pick":0},{"kind":"approve","pick":0}]}
import '../../test/support/no-after-sales-window';
import fc from 'fast-check';
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { queueEvent } from '../../test/support/queue-events';
import { activeLeader, dateIn, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { keys } from '../../lib/store/keys';
import { passCutoff } from '../../test/support/time-travel';

// ---------------------------------------------------------------------------------------------------
// The platform, and the modules the test drives directly (loaded after the stack set the environment).

const api = useStack();
let operator: string;
let mods: Awaited<ReturnType<typeof loadModules>>;

async function loadModules() {
  const [{ bookOrderCommissions }, { commissionDeps }, { main }, dynamo, ddbLib, util, { OrderSchema }, { dynamoLedgerStore }] =
    await Promise.all([
      import('../../lib/commissions/commissions'),
      import('../../lib/commissions/wiring'),
      import('./handler'),
      import('../../lib/store/dynamo'),
      import('@aws-sdk/lib-dynamodb'),
      import('@aws-sdk/util-dynamodb'),
      import('../../schemas/orders'),
      import('../../lib/store/ledger'),
    ]);
  return { bookOrderCommissions, commissionDeps, main, dynamo, ddbLib, util, OrderSchema, dynamoLedgerStore };
}

const REFERRAL_BPS = Number(process.env.REFERRAL_BPS ?? 100);

/** Awkward prices and rates, over two suppliers, so that floors matter. */
const PRODUCT_SPECS = [
  { supplier: 0, name: '土鸡蛋', supplyPriceFen: 500, groupPriceFen: 999, commissionRateBps: 1234 },
  { supplier: 0, name: '草莓', supplyPriceFen: 1000, groupPriceFen: 1999, commissionRateBps: 777 },
  { supplier: 1, name: '小葱', supplyPriceFen: 100, groupPriceFen: 333, commissionRateBps: 0 },
  { supplier: 1, name: '生姜', supplyPriceFen: 100, groupPriceFen: 101, commissionRateBps: 3333 },
] as const;
const products: { productId: string; groupPriceFen: number; rateBps: number }[] = [];
const supplierIds: string[] = [];
/** The commission rate of each product, as the test set it up (not as the code under test reads it). */
const rateOf = new Map<string, number>();

beforeAll(async () => {
  operator = await api.login('op-ledger-property', ['operator']);
  mods = await loadModules();
  for (const supplier of [0, 1]) {
    const specs = PRODUCT_SPECS.filter((p) => p.supplier === supplier);
    const made = await supplierWithProducts(
      api,
      specs.map(({ supplier: _s, ...spec }) => spec),
    );
    supplierIds.push(made.supplierId);
    made.products.forEach((p, i) => {
      const rate = specs[i]!.commissionRateBps;
      products.push({ productId: p.productId, groupPriceFen: specs[i]!.groupPriceFen, rateBps: rate });
      rateOf.set(p.productId, rate);
    });
  }
}, 60_000);

// ---------------------------------------------------------------------------------------------------
// The generated plan.

type Amount = { mode: 'fen'; fen: number } | { mode: 'share'; permille: number } | { mode: 'rest' } | { mode: 'over'; extra: number };
type Command =
  | { kind: 'pickup'; order: number }
  | { kind: 'refund'; order: number; amount: Amount }
  | { kind: 'uncollected'; order: number }
  | { kind: 'shortfall'; product: number; units: number }
  | { kind: 'duplicate'; order: number; via: 'book' | 'handler' }
  | { kind: 'redeliver'; order: number; from: number }
  | { kind: 'drain' }
  | { kind: 'payouts'; concurrent: boolean; afterDrain: boolean }
  | { kind: 'approve'; pick: number }
  | { kind: 'reject'; pick: number }
  | { kind: 'approveAndReject'; pick: number };

interface Plan {
  /** Quantity of each product per order (a zero leaves the product out of that order). */
  orders: number[][];
  /** Operator refunds while the orders are still `paid`, before the cutoff. */
  beforeCutoff: { order: number; amount: Amount }[];
  /** Which orders are picked up right after the cutoff (the commands may pick the others up later). */
  pickedUpAtOnce: boolean[];
  commands: Command[];
}

const amountArb: fc.Arbitrary<Amount> = fc.oneof(
  fc.record({ mode: fc.constant('fen' as const), fen: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ mode: fc.constant('share' as const), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ mode: fc.constant('rest' as const) }),
  fc.record({ mode: fc.constant('over' as const), extra: fc.integer({ min: 1, max: 500 }) }),
);
const orderIndex = fc.nat({ max: 7 });
/** FC_SKIP=redeliver,approveAndReject leaves those commands out (to look past a known failure). */
const skipped = new Set((process.env.FC_SKIP ?? '').split(',').filter(Boolean));
const weighted: { weight: number; kind: Command['kind']; arbitrary: fc.Arbitrary<Command> }[] = [
  { weight: 5, kind: 'pickup', arbitrary: fc.record({ kind: fc.constant('pickup' as const), order: orderIndex }) },
  { weight: 5, kind: 'refund', arbitrary: fc.record({ kind: fc.constant('refund' as const), order: orderIndex, amount: amountArb }) },
  { weight: 1, kind: 'uncollected', arbitrary: fc.record({ kind: fc.constant('uncollected' as const), order: orderIndex }) },
  {
    weight: 2,
    kind: 'shortfall',
    arbitrary: fc.record({
      kind: fc.constant('shortfall' as const),
      product: fc.nat({ max: PRODUCT_SPECS.length - 1 }),
      units: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 2,
    kind: 'duplicate',
    arbitrary: fc.record({
      kind: fc.constant('duplicate' as const),
      order: orderIndex,
      via: fc.constantFrom('book' as const, 'handler' as const),
    }),
  },
  {
    weight: 2,
    kind: 'redeliver',
    arbitrary: fc.record({ kind: fc.constant('redeliver' as const), order: orderIndex, from: fc.nat({ max: 7 }) }),
  },
  { weight: 1, kind: 'drain', arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  {
    weight: 2,
    kind: 'payouts',
    arbitrary: fc.record({ kind: fc.constant('payouts' as const), concurrent: fc.boolean(), afterDrain: fc.boolean() }),
  },
  { weight: 2, kind: 'approve', arbitrary: fc.record({ kind: fc.constant('approve' as const), pick: fc.nat({ max: 3 }) }) },
  { weight: 1, kind: 'reject', arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat({ max: 3 }) }) },
  {
    weight: 1,
    kind: 'approveAndReject',
    arbitrary: fc.record({ kind: fc.constant('approveAndReject' as const), pick: fc.nat({ max: 3 }) }),
  },
];
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  ...weighted.filter((w) => !skipped.has(w.kind)).map(({ weight, arbitrary }) => ({ weight, arbitrary })),
);
const quantitiesArb = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: PRODUCT_SPECS.length, maxLength: PRODUCT_SPECS.length })
  .map((qs) => (qs.some((q) => q > 0) ? qs : [1, ...qs.slice(1)]));
const planArb: fc.Arbitrary<Plan> = fc.record({
  orders: fc.array(quantitiesArb, { minLength: 1, maxLength: 4 }),
  beforeCutoff: fc.array(fc.record({ order: orderIndex, amount: amountArb }), { maxLength: 2 }),
  pickedUpAtOnce: fc.array(
    fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    { minLength: 4, maxLength: 4 },
  ),
  commands: fc.array(commandArb, { minLength: 2, maxLength: 16 }),
});

// ---------------------------------------------------------------------------------------------------
// The test's own model of each order (independent of the code under test).

interface ModelLine {
  productId: string;
  quantity: number;
  amountFen: number;
  refundedFen: number;
  /** Units a shortfall took. */
  short: number;
}
interface ModelOrder {
  orderId: string;
  totalFen: number;
  refundedFen: number;
  lines: ModelLine[];
  status: 'paid' | 'ready_for_pickup' | 'picked_up' | 'refunded';
  pickupCode?: string;
  /** Every image the ORDER item went through after placement, in order (what the stream carried). */
  images: Record<string, unknown>[];
}

interface Leader {
  leaderId: string;
  token: string;
}

interface RunState {
  recruiter: Leader;
  recruit: Leader;
  pickupDate: string;
  orders: ModelOrder[];
  log: string[];
  seq: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function amountFor(order: ModelOrder, amount: Amount): number {
  const remaining = order.totalFen - order.refundedFen;
  switch (amount.mode) {
    case 'fen':
      return amount.fen;
    case 'share':
      return remaining > 0 ? Math.max(1, Math.floor((remaining * amount.permille) / 1000)) : amount.permille;
    case 'rest':
      return Math.max(1, remaining);
    case 'over':
      return remaining + amount.extra;
  }
}

async function rawOrder(orderId: string): Promise<Record<string, unknown>> {
  const { Item } = await mods.dynamo
    .db()
    .send(new mods.ddbLib.GetCommand({ TableName: mods.dynamo.tableName(), Key: keys.order(orderId), ConsistentRead: true }));
  if (!Item) throw new Error(`order ${orderId} not in the table`);
  return Item;
}

/** The images as the commissions queue delivers them (the stream records the router sent). */
function queueEventOf(state: RunState, images: Record<string, unknown>[]): SQSEvent {
  const records: DynamoDBRecord[] = images.map((image) => {
    const seq = String(++state.seq).padStart(21, '0');
    return {
      eventID: `replay-${seq}`,
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: mods.util.marshall({ pk: image.pk, sk: image.sk }) as never,
        NewImage: mods.util.marshall(image, { removeUndefinedValues: true }) as never,
        SequenceNumber: seq,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  });
  return queueEvent(records);
}

/** How many payouts are proposed in all (every page). */
async function proposedCount(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const res = await api.call('GET', `/payouts?status=proposed&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token: operator });
    expect(res.status).toBe(200);
    count += res.body.items.length;
    cursor = res.body.nextCursor;
  } while (cursor);
  return count;
}

async function proposedPayoutsOf(state: RunState): Promise<{ payoutId: string; leaderId: string }[]> {
  const res = await api.call('GET', '/payouts?status=proposed&limit=100', { token: operator });
  expect(res.status).toBe(200);
  const mine = new Set([state.recruit.leaderId, state.recruiter.leaderId]);
  return (res.body.items as { payoutId: string; leaderId: string; createdAt: string }[])
    .filter((p) => mine.has(p.leaderId))
    .sort((a, b) => a.payoutId.localeCompare(b.payoutId));
}

async function refund(state: RunState, order: ModelOrder, amountSpec: Amount) {
  const amountFen = amountFor(order, amountSpec);
  const remaining = order.totalFen - order.refundedFen;
  const res = await api.call('POST', `/orders/${order.orderId}/refunds`, { token: operator, body: { amountFen, reason: '属性测试退款' } });
  if (order.status === 'refunded' || amountFen > remaining) {
    state.log.push(`refund ${order.orderId} ${amountFen} (remaining ${remaining}) → ${res.status}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    // …and changed nothing.
    const after = (await api.call('GET', `/orders/${order.orderId}`, { token: operator })).body;
    expect({ refundedFen: after.refundedFen, lines: after.items.map((l: ModelLine) => l.refundedFen) }).toEqual({
      refundedFen: order.refundedFen,
      lines: order.lines.map((l) => l.refundedFen),
    });
    return;
  }
  state.log.push(`refund ${order.orderId} ${amountFen} of ${remaining} → ${res.status}`);
  expect(res.status).toBe(201);
  // The test's own allocation: in line order, each line up to what remains of it.
  let left = amountFen;
  const expectedLines: { productId: string; amountFen: number }[] = [];
  for (const line of order.lines) {
    const take = Math.min(left, line.amountFen - line.refundedFen);
    if (take > 0) {
      expectedLines.push({ productId: line.productId, amountFen: take });
      line.refundedFen += take;
      left -= take;
    }
  }
  expect(res.body.lines).toEqual(expectedLines);
  order.refundedFen += amountFen;
  if (order.refundedFen === order.totalFen) order.status = 'refunded';
  order.images.push(await rawOrder(order.orderId));
}

let shortfalls = 0;
/** Units of a line still to be delivered, in the model. */
const deliverable = (l: ModelLine) => (l.refundedFen >= l.amountFen ? 0 : l.quantity - l.short);

/**
 * The supplier reports units of a product that will not arrive (at most what this run's ready orders still
 * have: the purchase order of the date also holds earlier runs' orders, placed before these, so the latest
 * placed first are this run's). The response is checked against the model, applied to it, and reported again.
 */
async function shortfall(state: RunState, productIndex: number, wanted: number) {
  const product = products[productIndex]!;
  const ready = state.orders.filter((o) => o.status === 'ready_for_pickup');
  const available = sum(ready.flatMap((o) => o.lines.filter((l) => l.productId === product.productId).map(deliverable)));
  const units = Math.min(wanted, available);
  if (units === 0) {
    state.log.push(`shortfall of ${product.productId}: nothing left to take`);
    return;
  }
  await api.drain(); // the purchase order has caught up with the orders
  const supplierId = supplierIds[PRODUCT_SPECS[productIndex]!.supplier]!;
  const token = await api.login(unique('supplier-clerk'), ['supplier'], supplierId);
  const body = { lines: [{ productId: product.productId, shortQuantity: units }], reason: `属性测试缺货 ${++shortfalls}` };
  const res = await api.call('POST', `/purchase-orders/${supplierId}-${state.pickupDate}/shortfalls`, { token, body });
  state.log.push(`shortfall ${units} of ${product.productId} → ${res.status} ${JSON.stringify(res.body.refunds ?? res.body)}`);
  expect(res.status).toBe(201);
  const refunds = res.body.refunds as { orderId: string; productId: string; quantity: number; amountFen: number }[];
  expect(sum(refunds.map((r) => r.quantity))).toBe(units);
  for (const r of refunds) {
    const order = state.orders.find((o) => o.orderId === r.orderId);
    expect(order?.status).toBe('ready_for_pickup');
    const line = order!.lines.find((l) => l.productId === r.productId)!;
    // Exactly the missing units at the unit price; a line giving up all it still delivers, what remains of it.
    const remaining = line.amountFen - line.refundedFen;
    expect(r.amountFen).toBe(r.quantity === deliverable(line) ? remaining : Math.min(remaining, r.quantity * product.groupPriceFen));
    line.short += r.quantity;
    line.refundedFen += r.amountFen;
    order!.refundedFen += r.amountFen;
    if (order!.refundedFen === order!.totalFen) order!.status = 'refunded';
  }
  for (const orderId of new Set(refunds.map((r) => r.orderId))) {
    const order = state.orders.find((o) => o.orderId === orderId)!;
    const view = (await api.call('GET', `/orders/${orderId}`, { token: operator })).body;
    expect({ status: view.status, refundedFen: view.refundedFen }).toEqual({ status: order.status, refundedFen: order.refundedFen });
    order.images.push(await rawOrder(orderId));
  }
  // Reported again: the same answer, and nothing refunded twice.
  const again = await api.call('POST', `/purchase-orders/${supplierId}-${state.pickupDate}/shortfalls`, { token, body });
  expect([again.status, again.body]).toEqual([200, res.body]);
}

async function run(state: RunState, command: Command) {
  const order = 'order' in command ? state.orders[command.order % state.orders.length]! : undefined;
  switch (command.kind) {
    case 'pickup': {
      if (!order!.pickupCode) {
        state.log.push(`pickup ${order!.orderId}: no pickup code (refunded before the cutoff)`);
        return;
      }
      const res = await api.call('POST', '/pickups', {
        token: state.recruit.token,
        body: { pickupCode: order!.pickupCode, date: state.pickupDate },
      });
      state.log.push(`pickup ${order!.orderId} (${order!.status}) → ${res.status}`);
      if (order!.status === 'ready_for_pickup') {
        expect(res.status).toBe(200);
        order!.status = 'picked_up';
        order!.images.push(await rawOrder(order!.orderId));
      } else {
        expect(res.status).toBe(409);
      }
      return;
    }
    case 'refund':
      return refund(state, order!, command.amount);
    case 'uncollected': {
      // Nobody collects it: its pickup date moves PICKUP_WINDOW_DAYS (3) back and the hourly job runs, twice
      // (a retried schedule). Only a ready order is refunded, in full, and it never earns a commission.
      const ready = order!.status === 'ready_for_pickup';
      if (ready) {
        const date = dateIn(-3);
        await mods.dynamo.db().send(
          new mods.ddbLib.UpdateCommand({
            TableName: mods.dynamo.tableName(),
            Key: keys.order(order!.orderId),
            UpdateExpression: 'SET pickupDate = :d, gsi2sk = :sk',
            ExpressionAttributeValues: { ':d': date, ':sk': keys.readyOrders(order!.orderId, date).gsi2sk },
          }),
        );
        order!.images.push(await rawOrder(order!.orderId));
      }
      await api.stack.scheduler.runNow('refundUncollected');
      await api.stack.scheduler.runNow('refundUncollected');
      const view = (await api.call('GET', `/orders/${order!.orderId}`, { token: operator })).body;
      state.log.push(`uncollected ${order!.orderId} (${order!.status}) → ${view.status} refunded ${view.refundedFen}`);
      if (!ready) {
        expect({ status: view.status, refundedFen: view.refundedFen }).toEqual({ status: order!.status, refundedFen: order!.refundedFen });
        return;
      }
      expect(view).toMatchObject({ status: 'refunded', refundedFen: order!.totalFen, uncollectedAt: expect.any(String) });
      for (const line of order!.lines) line.refundedFen = line.amountFen;
      order!.refundedFen = order!.totalFen;
      order!.status = 'refunded';
      order!.images.push(await rawOrder(order!.orderId));
      return;
    }
    case 'shortfall':
      return shortfall(state, command.product, command.units);
    case 'duplicate': {
      // A record delivered again after it was processed: drain first, then deliver the current image twice.
      await api.drain();
      const image = await rawOrder(order!.orderId);
      const before = await mods.dynamoLedgerStore().entriesForOrder(order!.orderId);
      if (command.via === 'book') {
        for (let i = 0; i < 2; i++)
          expect(await mods.bookOrderCommissions(mods.commissionDeps(), mods.OrderSchema.parse(image))).toEqual([]);
      } else {
        for (let i = 0; i < 2; i++) expect(await mods.main(queueEventOf(state, [image]))).toEqual({ batchItemFailures: [] });
      }
      const after = await mods.dynamoLedgerStore().entriesForOrder(order!.orderId);
      state.log.push(`duplicate(${command.via}) ${order!.orderId}: ${before.length} → ${after.length} entries`);
      expect(after.map((e) => e.entryId).sort()).toEqual(before.map((e) => e.entryId).sort());
      return;
    }
    case 'redeliver': {
      // A retried batch: the stream hands the order's records again, in order, from an earlier one on
      // (as Lambda does after a failure or a function killed before its checkpoint). All were processed.
      await api.drain();
      const from = command.from % order!.images.length;
      const images = order!.images.slice(from);
      const before = await mods.dynamoLedgerStore().entriesForOrder(order!.orderId);
      expect(await mods.main(queueEventOf(state, images))).toEqual({ batchItemFailures: [] });
      const after = await mods.dynamoLedgerStore().entriesForOrder(order!.orderId);
      const describe = images
        .map((i) => `${String(i.status)}/refunded ${String(i.refundedFen)}${i.pickedUpAt ? '/picked' : ''}`)
        .join(', ');
      state.log.push(`redeliver ${order!.orderId} images [${describe}]: ${before.length} → ${after.length} entries`);
      expect(after.map((e) => `${e.entryId} ${e.amountFen}`).sort()).toEqual(before.map((e) => `${e.entryId} ${e.amountFen}`).sort());
      return;
    }
    case 'drain':
      state.log.push('drain');
      await api.drain();
      return;
    case 'payouts': {
      // The job runs either once the stream has caught up, or while records are still waiting to be booked.
      if (command.afterDrain) await api.drain();
      const proposedBefore = await proposedCount();
      const runs = await Promise.all(
        Array.from({ length: command.concurrent ? 2 : 1 }, () => api.call('POST', '/jobs/payouts', { token: operator })),
      );
      state.log.push(
        `payouts${command.concurrent ? ' ×2 at once' : ''}${command.afterDrain ? ' (stream drained)' : ''} → ${runs.map((r) => `${r.status} ${JSON.stringify(r.body)}`).join(', ')}`,
      );
      // A run may find another one running (409); every payout is proposed by exactly one run.
      for (const r of runs) expect([200, 409]).toContain(r.status);
      expect(runs.some((r) => r.status === 200)).toBe(true);
      const proposedAfter = await proposedCount();
      expect(runs.filter((r) => r.status === 200).reduce((n, r) => n + (r.body as { proposed: number }).proposed, 0)).toBe(
        proposedAfter - proposedBefore,
      );
      return;
    }
    case 'approve':
    case 'reject':
    case 'approveAndReject': {
      let proposed = await proposedPayoutsOf(state);
      if (proposed.length === 0) {
        // Nothing to act on: the weekly job runs first (as it would have, days after the stream caught up).
        await api.drain();
        const job = await api.call('POST', '/jobs/payouts', { token: operator });
        expect(job.status).toBe(200);
        state.log.push(`payouts (before ${command.kind}) → ${job.status} ${JSON.stringify(job.body)}`);
        proposed = await proposedPayoutsOf(state);
      }
      if (proposed.length === 0) {
        state.log.push(`${command.kind}: nothing proposed`);
        return;
      }
      const payout = proposed[command.pick % proposed.length]!;
      const approve = () => api.call('POST', `/payouts/${payout.payoutId}/approve`, { token: operator });
      const reject = () => api.call('POST', `/payouts/${payout.payoutId}/reject`, { token: operator, body: { reason: '属性测试驳回' } });
      if (command.kind === 'approve') {
        const res = await approve();
        state.log.push(`approve ${payout.payoutId} → ${res.status} ${res.body.status ?? res.body.error?.code}`);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('paid');
      } else if (command.kind === 'reject') {
        const res = await reject();
        state.log.push(`reject ${payout.payoutId} → ${res.status}`);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('rejected');
      } else {
        // Two operators act on the same payout at once: exactly one of them wins.
        const [a, r] = await Promise.all([approve(), reject()]);
        state.log.push(`approve+reject ${payout.payoutId} at once → approve ${a.status}, reject ${r.status}`);
        expect([a.status, r.status].sort()).toEqual([200, 409]);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// One run: fresh leaders, a group buy, orders, the cutoff, then the generated commands; then the checks.

async function setUp(plan: Plan, log: string[]): Promise<RunState> {
  const recruiter = await activeLeader(api);
  const recruitToken = await api.login(unique('recruit'));
  const applied = await api.call('POST', '/leaders', {
    token: recruitToken,
    body: {
      name: '新团长',
      phone: '13900002222',
      pickupPoint: { name: '新点', address: '新路 2 号', community: '新小区', city: '杭州' },
      referralCode: recruiter.referralCode,
    },
  });
  expect(applied.status).toBe(201);
  expect((await api.call('POST', `/leaders/${applied.body.leaderId}/approve`, { token: operator })).status).toBe(200);
  const state: RunState = {
    recruiter: { leaderId: recruiter.leaderId, token: recruiter.token },
    recruit: { leaderId: applied.body.leaderId, token: recruitToken },
    pickupDate: dateIn(1),
    orders: [],
    log,
    seq: 0,
  };

  // A comfortable cutoff; once every order is placed, paid (and some refunded) it is made to pass.
  const started = Date.now();
  const cutoffAt = new Date(started + 3_600_000).toISOString();
  const gb = await openGroupBuy(api, state.recruit.token, {
    items: products.map((p) => ({ productId: p.productId })),
    cutoffAt,
    pickupDate: state.pickupDate,
  });
  for (const quantities of plan.orders) {
    const resident = await api.login(unique('resident'));
    const items = products.map((p, i) => ({ productId: p.productId, quantity: quantities[i]! })).filter((i) => i.quantity > 0);
    const placed = await placeOrder(api, resident, gb.shareToken, items);
    expect(placed.status).toBe(201);
    const paid = await api.call('POST', `/dev/pay/${placed.body.orderId}`);
    expect(paid.status).toBe(200);
    const lines = items.map((i) => ({
      productId: i.productId,
      quantity: i.quantity,
      amountFen: i.quantity * products.find((p) => p.productId === i.productId)!.groupPriceFen,
      refundedFen: 0,
      short: 0,
    }));
    expect(placed.body.totalFen).toBe(sum(lines.map((l) => l.amountFen)));
    state.orders.push({ orderId: placed.body.orderId, totalFen: placed.body.totalFen, refundedFen: 0, lines, status: 'paid', images: [] });
    state.log.push(
      `order ${placed.body.orderId}: ${lines.map((l) => `${l.amountFen}@${rateOf.get(l.productId)}`).join(' + ')} = ${placed.body.totalFen}`,
    );
  }
  for (const r of plan.beforeCutoff) await refund(state, state.orders[r.order % state.orders.length]!, r.amount);
  state.log.push(`(placed, paid and refunded before the cutoff in ${Date.now() - started} ms)`);
  await passCutoff(gb.groupBuyId);
  const cutoff = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(cutoff.status).toBe(200);
  for (const order of state.orders) {
    const view = (await api.call('GET', `/orders/${order.orderId}`, { token: operator })).body;
    if (order.status === 'paid') {
      expect(view.status).toBe('ready_for_pickup');
      order.status = 'ready_for_pickup';
      order.pickupCode = view.pickupCode;
    } else {
      expect(view.status).toBe(order.status);
    }
    order.images.push(await rawOrder(order.orderId));
  }
  return state;
}

interface EntryView {
  entryId: string;
  kind: string;
  amountFen: number;
  orderId?: string;
  productId?: string;
  share?: string;
  payoutId?: string;
}
interface PayoutView {
  payoutId: string;
  leaderId: string;
  amountFen: number;
  status: string;
  entryIds: string[];
}

/** Every page of a list the API pages with `nextCursor`. */
async function allPages<T>(path: string, field: 'items' | 'entries' = 'items'): Promise<{ first: Record<string, unknown>; all: T[] }> {
  const all: T[] = [];
  let first: Record<string, unknown> | undefined;
  let cursor: string | undefined;
  do {
    const res = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: operator,
    });
    expect(res.status).toBe(200);
    first ??= res.body as Record<string, unknown>;
    all.push(...(res.body[field] as T[]));
    cursor = res.body.nextCursor;
  } while (cursor);
  return { first: first, all };
}

async function payoutsOf(leaderId: string): Promise<PayoutView[]> {
  const all: PayoutView[] = [];
  for (const status of ['proposed', 'held', 'approved', 'paid', 'rejected']) {
    all.push(...(await allPages<PayoutView>(`/payouts?status=${status}`)).all.filter((p) => p.leaderId === leaderId));
  }
  return all;
}

async function payableMarkersOf(leaderId: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await mods.dynamo.db().send(
      new mods.ddbLib.QueryCommand({
        TableName: mods.dynamo.tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.payablePartition(leaderId) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    ids.push(...(page.Items ?? []).map((i) => String(i.entryId)));
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

async function checkInvariants(state: RunState) {
  await api.drain();

  // The orders as the API reports them, checked against the test's model; the expectation computed from them.
  const expected = new Map<string, number>(); // `${leaderId}|${orderId}|${productId}|${share}` → fen
  const expectedTotal = new Map<string, number>([
    [state.recruit.leaderId, 0],
    [state.recruiter.leaderId, 0],
  ]);
  for (const model of state.orders) {
    const view = (await api.call('GET', `/orders/${model.orderId}`, { token: operator })).body;
    expect({
      orderId: view.orderId,
      status: view.status,
      refundedFen: view.refundedFen,
      lines: view.items.map((l: ModelLine & { shortQuantity?: number }) => ({
        productId: l.productId,
        quantity: l.quantity,
        amountFen: l.amountFen,
        refundedFen: l.refundedFen,
        short: l.shortQuantity ?? 0,
      })),
    }).toEqual({
      orderId: model.orderId,
      status: model.status,
      refundedFen: model.refundedFen,
      lines: model.lines,
    });
    // (e) Money: never more refunded than paid, and the provider refunded exactly what the order says.
    expect(view.refundedFen).toBeLessThanOrEqual(view.totalFen);
    const paymentId = String((await rawOrder(model.orderId)).paymentId);
    const sandbox = await mods.dynamo.db().send(
      new mods.ddbLib.QueryCommand({
        TableName: mods.dynamo.tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.sandboxPayment(paymentId).pk },
        ConsistentRead: true,
      }),
    );
    const items = sandbox.Items ?? [];
    const payment = items.find((i) => i.sk === keys.sandboxPayment(paymentId).sk);
    expect(payment?.amountFen).toBe(view.totalFen);
    const sandboxRefunds = items.filter((i) => String(i.sk).startsWith('REFUND#'));
    expect({
      orderId: model.orderId,
      refundedBySandbox: sum(sandboxRefunds.map((i) => Number(i.amountFen))),
      paymentRefundedFen: payment?.refundedFen,
    }).toEqual({
      orderId: model.orderId,
      refundedBySandbox: view.refundedFen,
      paymentRefundedFen: view.refundedFen,
    });

    if (!view.pickedUpAt) continue;
    for (const line of view.items as ModelLine[]) {
      const rate = rateOf.get(line.productId)!;
      const net = line.amountFen - line.refundedFen;
      const commission = Math.floor((net * rate) / 10_000);
      const referral = rate > 0 ? Math.floor((net * REFERRAL_BPS) / 10_000) : 0;
      expected.set(`${state.recruit.leaderId}|${model.orderId}|${line.productId}|commission`, commission);
      expected.set(`${state.recruiter.leaderId}|${model.orderId}|${line.productId}|referral`, referral);
      expectedTotal.set(state.recruit.leaderId, expectedTotal.get(state.recruit.leaderId)! + commission);
      expectedTotal.set(state.recruiter.leaderId, expectedTotal.get(state.recruiter.leaderId)! + referral);
    }
  }

  for (const leader of [state.recruit, state.recruiter]) {
    // (a) Reconciliation finds nothing.
    const rec = await api.call('GET', `/audit/reconciliation?leaderId=${leader.leaderId}`, { token: operator });
    expect(rec.status).toBe(200);
    expect({ leaderId: leader.leaderId, discrepancies: rec.body.discrepancies }).toEqual({ leaderId: leader.leaderId, discrepancies: [] });

    // The balances, and every entry of the ledger, page by page.
    const pages = await allPages<EntryView>(`/leaders/${leader.leaderId}/commissions`, 'entries');
    const view = { ...(pages.first as { pendingFen: number; availableFen: number; paidFen: number }), entries: pages.all };
    const earnings = view.entries.filter((e) => e.kind !== 'payout');
    const earned = sum(earnings.map((e) => e.amountFen));

    // (b) No fen created or lost: the ledger equals the test's own recomputation, line by line and in total.
    const booked = new Map<string, number>();
    for (const e of earnings) {
      const key = `${leader.leaderId}|${e.orderId}|${e.productId}|${e.share}`;
      booked.set(key, (booked.get(key) ?? 0) + e.amountFen);
    }
    const mineExpected = new Map([...expected].filter(([k, v]) => k.startsWith(`${leader.leaderId}|`) && v !== 0));
    const mineBooked = new Map([...booked].filter(([, v]) => v !== 0));
    expect(Object.fromEntries([...mineBooked].sort())).toEqual(Object.fromEntries([...mineExpected].sort()));
    expect({ leaderId: leader.leaderId, earned }).toEqual({ leaderId: leader.leaderId, earned: expectedTotal.get(leader.leaderId) });
    expect(rec.body.ledgerFen).toBe(earned);

    // (c) The balances split the earnings; paid is what the paid payouts paid.
    const payouts = await payoutsOf(leader.leaderId);
    const paid = payouts.filter((p) => p.status === 'paid');
    expect(view.pendingFen + view.availableFen + view.paidFen).toBe(earned);
    expect(view.paidFen).toBe(sum(paid.map((p) => p.amountFen)));
    const payoutEntries = view.entries.filter((e) => e.kind === 'payout');
    expect(payoutEntries.map((e) => `${e.payoutId} ${e.amountFen}`).sort()).toEqual(
      paid.map((p) => `${p.payoutId} ${-p.amountFen}`).sort(),
    );

    // (d) Entry ids are unique; no entry is in two live payouts; every earning is either still payable
    //     or claimed by exactly one live payout (a rejected payout gives its entries back), never both.
    const ids = view.entries.map((e) => e.entryId);
    expect(ids.length).toBe(new Set(ids).size);
    // A payout held for an operator (risk flags: refunds are random here) keeps its claims as a proposed one does.
    const live = payouts.filter((p) => p.status === 'proposed' || p.status === 'held' || p.status === 'approved' || p.status === 'paid');
    const claimedBy = new Map<string, string[]>();
    for (const p of live) for (const id of p.entryIds) claimedBy.set(id, [...(claimedBy.get(id) ?? []), p.payoutId]);
    expect([...claimedBy].filter(([, ps]) => ps.length > 1)).toEqual([]);
    const payable = await payableMarkersOf(leader.leaderId);
    expect(payable.length).toBe(new Set(payable).size);
    expect(payable.filter((id) => claimedBy.has(id)).map((id) => `${id} payable again while in ${claimedBy.get(id)!.join(',')}`)).toEqual(
      [],
    );
    expect([...payable, ...claimedBy.keys()].sort()).toEqual(earnings.map((e) => e.entryId).sort());
    const amountOf = new Map(earnings.map((e) => [e.entryId, e.amountFen]));
    for (const p of live)
      expect({ payoutId: p.payoutId, amountFen: p.amountFen }).toEqual({
        payoutId: p.payoutId,
        amountFen: sum(p.entryIds.map((id) => amountOf.get(id) ?? NaN)),
      });
  }
}

// ---------------------------------------------------------------------------------------------------

test(
  'random orders, pickups, refunds, redeliveries and payout runs: the ledger reconciles to the fen and nothing is paid twice',
  async () => {
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
    const numRuns = process.env.FC_PLAN ? 1 : Number(process.env.FC_RUNS ?? 12);
    let failingLog: string[] = [];
    // FC_PLAN='{"orders":…}' replays one plan exactly (a counterexample, say) instead of generating plans.
    const plans: fc.Arbitrary<Plan> = process.env.FC_PLAN ? fc.constant(JSON.parse(process.env.FC_PLAN) as Plan) : planArb;
    const property = fc.asyncProperty(plans, async (plan) => {
      const log: string[] = [];
      try {
        const state = await setUp(plan, log);
        for (const [i, now] of plan.pickedUpAtOnce.entries())
          if (now && i < state.orders.length) await run(state, { kind: 'pickup', order: i });
        for (const command of plan.commands) await run(state, command);
        await checkInvariants(state);
        if (process.env.FC_LOG) console.log(log.join('\n'));
      } catch (err) {
        failingLog = log;
        throw err;
      }
    });
    const details = await fc.check(property, {
      seed,
      numRuns,
      ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      endOnFailure: !process.env.FC_SHRINK,
    });
    if (details.failed) {
      throw new Error(
        `${fc.defaultReportMessage(details)}\n\nReproduce: FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath} (FC_SHRINK=1 to shrink)\n` +
          `What the failing run did:\n  ${failingLog.join('\n  ')}\n\nThe failure:\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
      );
    }
  },
  process.env.FC_SHRINK ? 3_600_000 : 180_000,
);
