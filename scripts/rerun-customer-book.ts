// `npm run rerun-customer-book [-- --leader <leaderId> ...]`: applies every order and every ledger entry of
// the leaders named (default: every active and suspended leader) to their customer book and stats again, as
// the customerBook consumer does. What is already applied is found so and changes nothing; what a lost
// message (a dead letter) never applied is applied now. The first fill after deploying the consumer, too.
//
// Locally it works on `npm start`'s table; against AWS, give the stage's table and credentials in the
// environment: `STAGE=prod TABLE_NAME=tuangou-prod AWS_REGION=ap-east-1 npm run rerun-customer-book`.
import '../infra/quiet-sdk';
import { rerunLeader } from '../lib/customers/customers';
import { customerBookDeps, leaderHistory } from '../lib/customers/wiring';
import { dynamoLeaderStore } from '../lib/store/leaders';

function named(flag: string): string[] {
  return process.argv.flatMap((arg, i) => (arg === `--${flag}` && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
}

async function everyLeader(): Promise<string[]> {
  const leaders = dynamoLeaderStore();
  const ids: string[] = [];
  for (const status of ['active', 'suspended'] as const) {
    let cursor: string | undefined;
    do {
      const page = await leaders.listByStatus(status, 100, cursor);
      ids.push(...page.items.map((l) => l.leaderId));
      cursor = page.nextCursor;
    } while (cursor);
  }
  return ids;
}

async function main() {
  const leaderIds = named('leader');
  const deps = customerBookDeps();
  const history = leaderHistory();
  for (const leaderId of leaderIds.length ? leaderIds : await everyLeader()) {
    const { orders, entries } = await rerunLeader(deps, await history(leaderId));
    console.log(
      `${leaderId}: orders ${orders.applied} applied, ${orders.already + orders.unchanged + orders.superseded} already so; ` +
        `ledger entries ${entries.booked} booked, ${entries.already} already booked`,
    );
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
