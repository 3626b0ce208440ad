import { systemClock } from '../runtime/clock';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoOrderStore } from '../store/orders';
import { dynamoPickupStore } from '../store/pickups';
import type { PickupDeps } from './pickups';

export const pickupDeps = (): PickupDeps => ({
  pickups: dynamoPickupStore(),
  orders: dynamoOrderStore(),
  leaders: dynamoLeaderStore(),
  clock: systemClock,
});
