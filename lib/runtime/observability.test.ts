// What CloudWatch receives from a function: JSON log lines carrying the function's name and the
// invocation's request id, and the business metrics as embedded metric format (EMF) in the log.
import type { Context } from 'aws-lambda';

const context = {
  functionName: 'tuangou-prod-orders',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:tuangou-prod-orders',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

test('a log line is one JSON object with the function name and request id; metrics are published as EMF', async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines: string[] = [];
  const spies = (['log', 'info', 'error', 'warn'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(String(args[0]))),
  );
  try {
    const { count, logger, observed } = await import('./observability');
    await observed(context, async () => {
      logger.error('Something failed', { orderId: 'o-1' });
      count('OrdersPlaced');
      count('OrdersPlaced');
    });
  } finally {
    for (const s of spies) s.mockRestore();
  }
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(entries.find((e) => e.message === 'Something failed')).toMatchObject({
    level: 'ERROR',
    service: 'tuangou',
    function_name: 'tuangou-prod-orders',
    function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    orderId: 'o-1',
  });
  const emf = entries.find((e) => e._aws !== undefined) as {
    _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    OrdersPlaced: number | number[];
  };
  expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
    Namespace: 'Tuangou',
    Metrics: [expect.objectContaining({ Name: 'OrdersPlaced' })],
  });
  // Two orders in one invocation: CloudWatch sums the values it is given.
  expect([emf.OrdersPlaced].flat().reduce((a, b) => a + b, 0)).toBe(2);
});
