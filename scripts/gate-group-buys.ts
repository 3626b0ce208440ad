// `npm run gate-group-buys`: the deploy's migration to group-buy gates (lib/store/gate.ts). Completes the gate
// of every group buy still open or closing that was created before gates, from its STOCK# items. Run it once
// right after deploying; until it has run, such a group buy refuses orders as closed (its gate is missing or
// partial) and cancellations of its orders wait for it. Running it again changes nothing.
//
// Locally it works on `npm start`'s table; against AWS, give the stage's table and credentials in the
// environment: `STAGE=prod TABLE_NAME=tuangou-prod AWS_REGION=ap-east-1 npm run gate-group-buys`.
import '../infra/quiet-sdk';
import { db } from '../lib/store/dynamo';
import { completeGate, groupBuysInPlay } from '../lib/store/gate';

async function main() {
  const ids = await groupBuysInPlay(db());
  let completed = 0;
  for (const id of ids) if (await completeGate(db(), id)) completed++;
  console.log(`${ids.length} group buys open or closing; ${completed} gates completed, ${ids.length - completed} already whole`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
