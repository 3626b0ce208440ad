// Lambda event filtering as the local stream poller applies it: only records matching a pattern of
// serverless.yml's `filterPatterns` reach the function.
import type { DynamoDBRecord } from 'aws-lambda';
import type { FilterPattern } from './filter-patterns';
import { matchesAnyFilter, matchesFilter } from './filter-patterns';

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  newImage?: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
): DynamoDBRecord {
  return {
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: 'ORDER#o-1' }, sk: { S: 'ORDER' } },
      ...(newImage ? { NewImage: newImage as never } : {}),
      ...(oldImage ? { OldImage: oldImage as never } : {}),
      SequenceNumber: '100',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const paidOrder = record(
  'MODIFY',
  { type: { S: 'ORDER' }, status: { S: 'paid' }, pk: { S: 'ORDER#o-1' } },
  { type: { S: 'ORDER' }, status: { S: 'pending_payment' } },
);
const newOrder = record('INSERT', { type: { S: 'ORDER' }, status: { S: 'pending_payment' }, pk: { S: 'ORDER#o-1' } });
const leader = record('INSERT', { type: { S: 'LEADER' }, status: { S: 'pending' }, pk: { S: 'LEADER#l-1' } });
const removed = record('REMOVE', undefined, { type: { S: 'ORDER' }, status: { S: 'cancelled' } });

test('a literal matches the equal value only', () => {
  const inserts: FilterPattern = { eventName: ['INSERT'] };
  expect(matchesFilter(newOrder, inserts)).toBe(true);
  expect(matchesFilter(paidOrder, inserts)).toBe(false);
  expect(matchesFilter(newOrder, { eventName: ['INSERT', 'MODIFY'] })).toBe(true);
  expect(matchesFilter(removed, { eventName: ['INSERT', 'MODIFY'] })).toBe(false);
});

test('prefix matches strings that start with it, and nothing else', () => {
  const orders: FilterPattern = { dynamodb: { Keys: { pk: { S: [{ prefix: 'ORDER#' }] } } } };
  expect(matchesFilter(newOrder, orders)).toBe(true);
  expect(matchesFilter(leader, { dynamodb: { NewImage: { pk: { S: [{ prefix: 'ORDER#' }] } } } })).toBe(false);
  // A missing field never matches a prefix.
  expect(matchesFilter(removed, { dynamodb: { NewImage: { pk: { S: [{ prefix: 'ORDER#' }] } } } })).toBe(false);
});

test('exists: true needs the field, exists: false needs it absent', () => {
  const hasNewImage: FilterPattern = { dynamodb: { NewImage: { status: [{ exists: true }] } } };
  expect(matchesFilter(paidOrder, hasNewImage)).toBe(true);
  expect(matchesFilter(removed, hasNewImage)).toBe(false);

  const noOldImage: FilterPattern = { dynamodb: { OldImage: { status: [{ exists: false }] } } };
  expect(matchesFilter(newOrder, noOldImage)).toBe(true);
  expect(matchesFilter(paidOrder, noOldImage)).toBe(false);
});

test('anything-but matches every present value except those listed', () => {
  const notPending: FilterPattern = { dynamodb: { NewImage: { status: { S: [{ 'anything-but': ['pending_payment', 'pending'] }] } } } };
  expect(matchesFilter(paidOrder, notPending)).toBe(true);
  expect(matchesFilter(newOrder, notPending)).toBe(false);
  expect(matchesFilter(leader, notPending)).toBe(false);
  // Absent is not "anything but": a REMOVE has no NewImage.
  expect(matchesFilter(removed, notPending)).toBe(false);
});

test('nested patterns must match at every level, every field of a pattern at once', () => {
  const paidOrders: FilterPattern = {
    eventName: ['MODIFY'],
    dynamodb: {
      NewImage: { type: { S: ['ORDER'] }, status: { S: ['paid'] } },
      OldImage: { status: { S: [{ 'anything-but': ['paid'] }] } },
    },
  };
  expect(matchesFilter(paidOrder, paidOrders)).toBe(true);
  expect(matchesFilter(newOrder, paidOrders)).toBe(false);
  expect(matchesFilter({ ...paidOrder, eventName: 'INSERT' }, paidOrders)).toBe(false);
  // A pattern that expects an object where the record has a string (or nothing) does not match.
  expect(matchesFilter(paidOrder, { eventName: { S: ['MODIFY'] } })).toBe(false);
});

test('a record passes when it matches any one of the patterns', () => {
  const patterns: FilterPattern[] = [{ dynamodb: { NewImage: { type: { S: ['LEADER'] } } } }, { eventName: ['REMOVE'] }];
  expect(matchesAnyFilter(leader, patterns)).toBe(true);
  expect(matchesAnyFilter(removed, patterns)).toBe(true);
  expect(matchesAnyFilter(newOrder, patterns)).toBe(false);
  expect(matchesAnyFilter(newOrder, [])).toBe(false);
});
