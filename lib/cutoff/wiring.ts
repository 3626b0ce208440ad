// Production wiring of the cutoff and the closing: DynamoDB on AWS and in the local stack, CloudBase's
// document database in the CloudBase build (DATA_STORE), where no stream drives a closing a caller waits for.
import { cloudbaseCutoffStore } from '../adapters/cloudbase/cutoff';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoCutoffStore } from '../store/cutoff';
import { dynamoOrderStore } from '../store/orders';
import type { CutoffDeps } from './cutoff';

export const cutoffDeps = (): CutoffDeps =>
  onCloudBase()
    ? { cutoff: cloudbaseCutoffStore(), orders: cloudbaseOrderStore(), clock: systemClock, advanceWhileWaiting: true }
    : { cutoff: dynamoCutoffStore(), orders: dynamoOrderStore(), clock: systemClock };
