// `npm run migrate-order-indexes`: the deploy's migration of orders to the key-only index of a resident's
// orders (scripts/order-indexes.ts, 2026-12-02). Run it once right after deploying over a version from before
// it; running it again changes nothing.
//
// Locally it works on `npm start`'s table; against AWS, give the stage's table and credentials in the
// environment: `STAGE=prod TABLE_NAME=tuangou-prod AWS_REGION=ap-east-1 npm run migrate-order-indexes`.
import '../infra/quiet-sdk';
import { db } from '../lib/store/dynamo';
import { moveOrdersToKeyIndexes } from './order-indexes';

moveOrdersToKeyIndexes(db())
  .then((moved) => console.log(`${moved} orders moved to gsi4 (a resident's orders, keys only)`))
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
