// `npm run demo` (with `npm start` running): one whole day of the platform through its HTTP API,
// printing each step. Uses a cutoff a few seconds ahead so the nightly job can run now.
import { businessDate } from '../lib/runtime/time';

const base = (process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/+$/, '');
const run = Date.now().toString(36);

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return body;
}
const login = async (userId: string, roles: string[] = [], supplierId?: string) =>
  (await call('POST', '/dev/login', { body: { userId, roles, ...(supplierId ? { supplierId } : {}) } })).token as string;
const step = (what: string, detail?: unknown) => console.log(`✔ ${what}${detail === undefined ? '' : `  ${JSON.stringify(detail)}`}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What `read` answers once `done` holds of it (the stream's consumers take their time on a busy machine), or after 30 s. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await sleep(500);
  }
}

async function main() {
  const started = new Date().toISOString();
  await call('GET', '/health');
  const operator = await login(`op-${run}`, ['operator']);
  const leaderToken = await login(`leader-${run}`);
  const leader = await call('POST', '/leaders', {
    token: leaderToken,
    body: {
      name: '王芳',
      phone: '13800001234',
      pickupPoint: { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' },
    },
  });
  await call('POST', `/leaders/${leader.leaderId}/approve`, { token: operator });
  step('leader applied and approved', { leaderId: leader.leaderId, referralCode: leader.referralCode });

  const supplier = await call('POST', '/suppliers', { token: operator, body: { name: '崇明果园', contactPhone: '13700002222' } });
  const strawberries = await call('POST', '/products', {
    token: operator,
    body: { supplierId: supplier.supplierId, name: '草莓', unit: '盒', supplyPriceFen: 1800, groupPriceFen: 2590, commissionRateBps: 1200 },
  });
  const eggs = await call('POST', '/products', {
    token: operator,
    body: { supplierId: supplier.supplierId, name: '土鸡蛋', unit: '板', supplyPriceFen: 2200, groupPriceFen: 2990, caseSize: 6 },
  });
  step('supplier and products', { supplierId: supplier.supplierId });

  const cutoffAt = new Date(Date.now() + 8000);
  const pickupDate = businessDate(new Date(cutoffAt.getTime() + 86_400_000));
  const gb = await call('POST', '/group-buys', {
    token: leaderToken,
    body: {
      title: '周末鲜果团',
      cutoffAt: cutoffAt.toISOString(),
      pickupDate,
      items: [{ productId: strawberries.productId, stockLimit: 20, perResidentLimit: 3 }, { productId: eggs.productId }],
    },
  });
  step('group buy opened', { shareUrl: gb.shareUrl });

  const residents = [];
  for (let i = 0; i < 3; i++) {
    const token = await login(`resident-${run}-${i}`);
    const order = await call('POST', '/orders', {
      token,
      headers: { 'Idempotency-Key': `demo-${run}-${i}` },
      body: {
        shareToken: gb.shareToken,
        contactName: `居民${i}`,
        contactPhone: `1391234567${i}`,
        items: [
          { productId: strawberries.productId, quantity: 2 },
          { productId: eggs.productId, quantity: 1 },
        ],
      },
    });
    if (i < 2) await call('POST', `/dev/pay/${order.orderId}`);
    residents.push({ token, orderId: order.orderId });
  }
  step('3 orders, 2 paid', { remaining: (await call('GET', `/share/${gb.shareToken}`)).items[0].remaining });

  await sleep(Math.max(0, cutoffAt.getTime() - Date.now() + 200));
  step('cutoff', await call('POST', '/jobs/cutoff', { token: operator }));
  const sheet = await call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: leaderToken });
  step('pickup sheet', {
    totals: sheet.totals,
    orders: sheet.orders.map((o: { pickupCode: string; contactPhone: string }) => [o.pickupCode, o.contactPhone]),
  });

  await sleep(1500); // the purchase-order consolidation runs from the stream
  const supplierToken = await login(`supplier-${run}`, ['supplier'], supplier.supplierId);
  const pos = await until(
    () => call('GET', `/purchase-orders?date=${pickupDate}`, { token: supplierToken }),
    (page) => page.items.length > 0,
  );
  step(
    'purchase order',
    pos.items.map((po: { purchaseOrderId: string; totalFen: number; lines: unknown[] }) => ({
      id: po.purchaseOrderId,
      totalFen: po.totalFen,
      lines: po.lines,
    })),
  );

  // The farm is a tray of eggs short: the latest paid order gives it up and its resident is refunded 29.90.
  const shortfall = await call('POST', `/purchase-orders/${pos.items[0].purchaseOrderId}/shortfalls`, {
    token: supplierToken,
    body: { lines: [{ productId: eggs.productId, shortQuantity: 1 }], reason: '运输途中破损' },
  });
  step('shortfall reported (缺货), refunds', shortfall);
  // The refund, the purchase order's revision and the sheet follow from the stream.
  const revised = await until(
    () => call('GET', `/purchase-orders/${pos.items[0].purchaseOrderId}`, { token: supplierToken }),
    (po) => po.revision > pos.items[0].revision,
  );
  step('purchase order revised', {
    revision: revised.revision,
    totalFen: revised.totalFen,
    eggs: revised.lines.find((l: { productId: string }) => l.productId === eggs.productId),
  });
  step('refunded resident', {
    refundedFen: (await call('GET', `/orders/${residents[1]!.orderId}`, { token: residents[1]!.token })).refundedFen,
  });
  step('pickup sheet after the shortfall', {
    totals: (await call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: leaderToken })).totals,
  });

  step(
    'goods arrived (到货), residents told',
    await call('POST', '/pickup-points/me/arrivals', { token: leaderToken, body: { date: pickupDate } }),
  );

  const first = residents[0]!;
  const code = (await call('GET', `/orders/${first.orderId}`, { token: first.token })).pickupCode;
  step('picked up', await call('POST', '/pickups', { token: leaderToken, body: { pickupCode: code, date: pickupDate } }));
  step(
    'refund after pickup',
    await call('POST', `/orders/${first.orderId}/refunds`, { token: first.token, body: { amountFen: 500, reason: '一盒有点压坏' } }),
  );
  await sleep(1500); // commissions are booked from the stream
  const commissions = await call('GET', '/leaders/me/commissions', { token: leaderToken });
  step('commissions', {
    pendingFen: commissions.pendingFen,
    availableFen: commissions.availableFen,
    entries: commissions.entries.map((e: { kind: string; amountFen: number }) => [e.kind, e.amountFen]),
  });
  step('reconciliation', await call('GET', `/audit/reconciliation?leaderId=${leader.leaderId}`, { token: operator }));
  step('payout run (entries are pending for AFTER_SALES_HOURS first)', await call('POST', '/jobs/payouts', { token: operator }));
  // Messages go out from the stream; the purchase order's waits for its consolidation (a batching window).
  const since = async (to: string) =>
    ((await call('GET', `/dev/messages?to=${to}`)).items as { channel: string; text: string; sentAt: string }[]).filter(
      (m) => m.sentAt >= started,
    );
  for (let i = 0; i < 30 && (await since('13700002222')).length === 0; i++) await sleep(500);
  console.log('\nMessages of the day (the sandboxes, GET /dev/messages):');
  for (const to of ['13800001234', '13700002222', '13912345670', '13912345671']) {
    for (const m of (await since(to)).reverse()) console.log(`  ${to} ${m.channel}: ${m.text}`);
  }
  console.log(`\nDone. Audit trail of the first order: ${base}/audit/events?entityId=${first.orderId} (operator token).`);
}

main().catch((err: Error) => {
  console.error(`✘ ${err.message}`);
  process.exit(1);
});
