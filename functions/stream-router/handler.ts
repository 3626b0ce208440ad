// The one reader of the table's stream: routes each change to the queues of the consumers that want it
// (lib/runtime/stream-routes.json). The consumers are separate functions fed by their queues.
import { sqsQueueSender } from '../../lib/aws/sqs';
import { streamRouter } from '../../lib/runtime/stream-router';
import { CONSUMER_ROUTES } from '../../lib/runtime/stream-routes';

export const main = streamRouter(CONSUMER_ROUTES, sqsQueueSender);
