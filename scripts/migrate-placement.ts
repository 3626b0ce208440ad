// `npm run migrate-placement`: the deploy's migration to one-item placement checks (2026-12-01). Run it once
// right after deploying over a version from before it; running it again changes nothing.
// - Group buys still open or closing get their gate (lib/store/gate.ts) completed from their STOCK# items.
//   Until then they refuse orders as closed, and cancellations of their orders wait.
// - Every leader with a daily order capacity has it copied onto the places counters of the pickup dates an
//   order can still be placed for, and the gates of their group buys of those dates marked (2026-12-02: places
//   counted on the counter, not the gate; lib/store/places.ts). Until then their pickup points take orders past it.
//
// Locally it works on `npm start`'s table; against AWS, give the stage's table and credentials in the
// environment: `STAGE=prod TABLE_NAME=tuangou-prod AWS_REGION=ap-east-1 npm run migrate-placement`.
import '../infra/quiet-sdk';
import { orderablePickupDates } from '../lib/group-buys/calendar';
import { db } from '../lib/store/dynamo';
import { completeGate, groupBuysInPlay } from '../lib/store/gate';
import { dynamoLeaderStore } from '../lib/store/leaders';
import { copyCapacity } from '../lib/store/places';

async function gates() {
  const ids = await groupBuysInPlay(db());
  let completed = 0;
  for (const id of ids) if (await completeGate(db(), id)) completed++;
  console.log(`${ids.length} group buys open or closing; ${completed} gates completed, ${ids.length - completed} already whole`);
}

async function capacities() {
  const leaders = dynamoLeaderStore();
  const dates = orderablePickupDates(new Date());
  let copied = 0;
  for (const status of ['active', 'suspended'] as const) {
    let cursor: string | undefined;
    do {
      const page = await leaders.listByStatus(status, 100, cursor);
      for (const leader of page.items) {
        if (leader.pickupPoint.dailyOrderCapacity !== undefined && (await copyCapacity(db(), leader, dates))) copied++;
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  console.log(`${copied} leaders' capacities copied onto their places of ${dates[0]}…${dates.at(-1)}`);
}

async function main() {
  await gates();
  await capacities();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
