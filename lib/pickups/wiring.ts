// Production wiring of the pickups' use-cases: DynamoDB on AWS and in the local stack, CloudBase's document
// database in the CloudBase build (DATA_STORE).
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { cloudbaseLeaderOfUser, cloudbasePickupStore } from '../adapters/cloudbase/pickups';
import { systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoOrderStore } from '../store/orders';
import { dynamoPickupStore } from '../store/pickups';
import type { PickupDeps } from './pickups';

export const pickupDeps = (): PickupDeps =>
  onCloudBase()
    ? {
        pickups: cloudbasePickupStore(),
        orders: cloudbaseOrderStore(),
        leaders: { getByUser: cloudbaseLeaderOfUser() },
        clock: systemClock,
      }
    : { pickups: dynamoPickupStore(), orders: dynamoOrderStore(), leaders: dynamoLeaderStore(), clock: systemClock };
