// The 40,000-cell purchase order: one supplier delivering P products to N pickup points (2,000 × 20 by
// default), each point with one ready order of every product. The supplier, its products and one group buy
// are made through the API; the other pickup points' group buys and the ready orders are written as the
// platform stores them (seeding 2,000 leaders through the API would take this machine most of an hour);
// the orders' cutoff changes are then fed to the real `consolidatePurchaseOrders` function as its queue
// hands them (batches of its serverless.yml batchSize), and the purchase order is read back through the
// HTTP API as its supplier reads it, every JSON page and CSV part, and checked cell by cell.
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { GroupBuy } from '../schemas/group-buys';
import type { Order } from '../schemas/orders';
import type { Call, City } from '../scripts/city-purchase-order';
import type { Input } from './harness';
import { expectStatus, round, runConcurrently } from './harness';

export interface BigPurchaseOrderResult {
  config: { points: number; products: number; cells: number; batchSize: number };
  consolidateSeconds: number;
  calls: number;
  revisions: number;
  jsonPages: number;
  largestJsonBytes: number;
  csvParts: number;
  largestCsvBytes: number;
  problems: string[];
  exact: boolean;
}

export async function benchBigPurchaseOrder(
  call: Call,
  options: { points: number; products: number; operator: string; note: (item: Input) => void },
): Promise<BigPurchaseOrderResult> {
  const { points, products: productCount } = options;
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');
  const { groupBuyItem } = await import('../lib/store/group-buys');
  const { orderItem } = await import('../lib/store/orders');
  const { priceLines } = await import('../lib/orders/pricing');
  const { ulid } = await import('../lib/runtime/clock');
  const { PICKUP_CODE_DIGITS } = await import('../lib/cutoff/cutoff');
  const { GroupBuySchema } = await import('../schemas/group-buys');
  const { main: consolidate } = await import('../functions/consolidate-purchase-orders/handler');
  const { queueEvent } = await import('../test/support/queue-events');
  const { loadManifest } = await import('../infra/manifest');
  const { quantityOf, checkPurchaseOrder } = await import('../scripts/city-purchase-order');
  const client = db();
  const batchSize = loadManifest().find((f) => f.name === 'consolidatePurchaseOrders')?.queues[0]?.batchSize ?? 100;
  const run = Date.now().toString(36);

  // ---- Through the API: the supplier, its products, one leader's group buy (the template of the others) ----
  const operator = options.operator;
  const supplier = expectStatus<{ supplierId: string }>(
    'supplier',
    await call('POST', '/suppliers', { token: operator, body: { name: `大城蔬菜-${run}`, contactPhone: '13700003333' } }),
    201,
  );
  const products: City['products'] = [];
  for (let p = 0; p < productCount; p++) {
    const body = {
      supplierId: supplier.supplierId,
      name: `大城菜${p + 1}`,
      unit: '斤',
      supplyPriceFen: 120 + 7 * p,
      groupPriceFen: 200 + 7 * p,
    };
    const product = expectStatus<{ productId: string; name: string }>(
      'product',
      await call('POST', '/products', { token: operator, body }),
      201,
    );
    products.push({ productId: product.productId, name: product.name, supplyPriceFen: body.supplyPriceFen });
  }
  const login = async (userId: string, roles: string[] = [], supplierId?: string) =>
    expectStatus('login', await call('POST', '/dev/login', { body: { userId, roles, ...(supplierId ? { supplierId } : {}) } }), 200)
      .token as string;
  const leaderToken = await login(`big-leader-${run}`);
  const applied = expectStatus<{ leaderId: string }>(
    'apply',
    await call('POST', '/leaders', {
      token: leaderToken,
      body: {
        name: '大城团长',
        phone: '13900002222',
        pickupPoint: { name: '大城0001号', address: '大城路 1 号', community: '大城', city: '上海' },
      },
    }),
    201,
  );
  expectStatus('approve', await call('POST', `/leaders/${applied.leaderId}/approve`, { token: operator }), 200);
  const cutoffAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
  const pickupDate = new Date(Date.now() + 40 * 3_600_000).toISOString().slice(0, 10);
  const opened = expectStatus<{ groupBuyId: string }>(
    'group buy',
    await call('POST', '/group-buys', {
      token: leaderToken,
      body: { title: '大城蔬菜团', cutoffAt, pickupDate, items: products.map((p) => ({ productId: p.productId })) },
    }),
    201,
  );
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName(), Key: keys.groupBuy(opened.groupBuyId), ConsistentRead: true }),
  );
  const template = GroupBuySchema.parse(Item);

  // ---- As stored: the other pickup points' group buys (closed), and one ready order per point ---------------
  const at = new Date(Date.now() - 60_000).toISOString();
  const groupBuys: GroupBuy[] = [{ ...template, status: 'closed', closedAt: at }];
  for (let i = 1; i < points; i++) {
    const n = String(i + 1).padStart(4, '0');
    groupBuys.push({
      ...template,
      groupBuyId: ulid(),
      leaderId: `big-${run}-leader-${n}`,
      pickupPoint: { ...template.pickupPoint, name: `大城${n}号`, address: `大城路 ${i + 1} 号` },
      status: 'closed',
      closedAt: at,
    });
  }
  const expected = new Map<string, Map<string, number>>();
  const pointNames = new Map<string, string>();
  const records: DynamoDBRecord[] = [];
  const items: Input[] = groupBuys.map((gb) => groupBuyItem(gb));
  for (const [i, gb] of groupBuys.entries()) {
    const body = {
      shareToken: 'seeded',
      items: products.map((p, j) => ({ productId: p.productId, quantity: quantityOf(i, j) })),
      contactName: '张三',
      contactPhone: '13812341234',
    };
    const { lines } = priceLines(gb, body);
    const paid: Order = {
      orderId: ulid(),
      userId: `big-${run}-resident-${i}`,
      groupBuyId: gb.groupBuyId,
      leaderId: gb.leaderId,
      pickupDate: gb.pickupDate,
      cutoffAt: gb.cutoffAt,
      status: 'paid',
      items: lines,
      totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
      refundedFen: 0,
      contactName: body.contactName,
      contactPhone: body.contactPhone,
      createdAt: at,
      updatedAt: at,
      expiresAt: at,
      paidAt: at,
      paymentId: `big-${ulid()}`,
      version: 2,
    };
    const ready: Order = { ...paid, status: 'ready_for_pickup', pickupCode: '1'.padStart(PICKUP_CODE_DIGITS, '0'), version: 3 };
    const [paidItem, readyItem] = [orderItem(paid), orderItem(ready)];
    items.push(readyItem);
    records.push({
      eventID: `big-${i}`,
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: readyItem.pk, sk: readyItem.sk }) as never,
        NewImage: marshall(readyItem, { removeUndefinedValues: true }) as never,
        OldImage: marshall(paidItem, { removeUndefinedValues: true }) as never,
        SequenceNumber: String(1_000_000 + i),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expected.set(gb.leaderId, new Map(body.items.map((it) => [it.productId, it.quantity])));
    pointNames.set(gb.leaderId, gb.pickupPoint.name);
  }
  for (const item of items) options.note(item);
  await runConcurrently(Math.ceil(items.length / 25), 8, async (b) => {
    let requests = items.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  });

  // ---- Consolidated by the real function, as its queue hands it the changes ---------------------------------
  const started = Date.now();
  let calls = 0;
  for (let start = 0; start < records.length; start += batchSize) {
    let batch = records.slice(start, start + batchSize);
    for (let attempt = 0; batch.length; attempt++) {
      if (attempt > 10) throw new Error('consolidatePurchaseOrders keeps failing');
      calls++;
      const event = queueEvent(batch);
      const failed = new Set((await consolidate(event)).batchItemFailures.map((f) => f.itemIdentifier));
      batch = batch.filter((_, i) => failed.has(event.Records[i]!.messageId));
    }
  }
  const consolidateSeconds = (Date.now() - started) / 1000;

  // ---- Read back through the API, as the supplier does ------------------------------------------------------
  const supplierToken = await login(`big-supplier-${run}`, ['supplier'], supplier.supplierId);
  const city: City = {
    supplierId: supplier.supplierId,
    supplierToken,
    operator,
    pickupDate,
    products,
    groupBuyIds: groupBuys.map((g) => g.groupBuyId),
    expected,
    orders: new Map(),
    pointNames,
    leaderTokens: new Map(),
  };
  const check = await checkPurchaseOrder(call, city);
  const id = `${supplier.supplierId}-${pickupDate}`;
  const header = expectStatus<{ revision: number }>(
    'purchase order',
    await call('GET', `/purchase-orders/${id}`, { token: supplierToken }),
    200,
  );

  // The items this purchase order is made of, whole (the header, its revisions, every version, the totals).
  const { queryAll } = await import('../lib/store/dynamo');
  for (const pk of [
    keys.purchaseOrderPartition(supplier.supplierId, pickupDate),
    keys.purchaseOrderBreakdownPartition(supplier.supplierId, pickupDate),
  ]) {
    for (const item of await queryAll(client, {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }))
      options.note(item);
  }
  for (const leaderId of [...expected.keys()].slice(0, 50)) {
    const totals = await client.send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.purchaseOrderPointTotals(supplier.supplierId, pickupDate, leaderId),
        ConsistentRead: true,
      }),
    );
    if (totals.Item) options.note(totals.Item as Input);
  }
  return {
    config: { points, products: productCount, cells: points * productCount, batchSize },
    consolidateSeconds: round(consolidateSeconds, 1),
    calls,
    revisions: header.revision,
    jsonPages: check.jsonPages,
    largestJsonBytes: check.largestJsonBytes,
    csvParts: check.csvParts,
    largestCsvBytes: check.largestCsvBytes,
    problems: check.problems.slice(0, 20),
    exact: check.problems.length === 0 && check.cells === points * productCount,
  };
}
