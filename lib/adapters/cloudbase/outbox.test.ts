// The outbox items a CloudBase change writes are addressed by the very filters of stream-routes.json, and
// carry the message the stream router would have sent: the consumers read them unchanged once swept.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { messageBody } from '../../runtime/stream-router';
import { routeChange } from './outbox';

test('a refund goes to the refunds consumer, an order with a pickup code to the pickup sheets, each as a stream record', () => {
  const refund = { refundId: 'R1', orderId: 'O1', amountFen: 1200, status: 'requested' };
  const routed = routeChange({ eventName: 'INSERT', type: 'REFUND', key: 'O1#R1', image: refund });
  expect(routed.consumers).toEqual(['refunds']);
  const message = JSON.parse(messageBody(routed.record)) as { eventName: string; dynamodb: { NewImage: never } };
  expect(message.eventName).toBe('INSERT');
  expect(unmarshall(message.dynamodb.NewImage)).toEqual({ ...refund, type: 'REFUND' });

  const order = { orderId: 'O1', status: 'paid', pickupCode: '1234', note: undefined };
  expect(routeChange({ eventName: 'MODIFY', type: 'ORDER', key: 'O1', image: order }).consumers).toContain('pickupSheets');
  // A modified refund is nobody's business (the refunds consumer takes inserts only).
  expect(routeChange({ eventName: 'MODIFY', type: 'REFUND', key: 'O1#R1', image: refund }).consumers).toEqual([]);
});
