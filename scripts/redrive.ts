// `npm run redrive`: what sits in each consumer's dead-letter queue, and (with --move) moving it back to the
// consumer's queue, where it is delivered again. The same SQS calls work on the local stack (with
// `npm start` running, on its local SQS) and on AWS (`-- --stage prod --region ap-east-1`, credentials from
// the environment), because the local SQS speaks the real protocol.
//
//   npm run redrive                      list, locally
//   npm run redrive -- --move            move every dead letter back, locally
//   npm run redrive -- --stage prod --region ap-east-1 [--move]
import '../infra/quiet-sdk';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../lib/runtime/config';
import { changeOf } from '../lib/runtime/stream';
import { CONSUMER_ROUTES, queueName } from '../lib/runtime/stream-routes';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const config = loadConfig();
  const stage = option('stage') ?? config.stage;
  const local = stage === 'local';
  const move = process.argv.includes('--move');
  const prefix = local ? config.tableName : `tuangou-${stage}`;
  const sqs = new SQSClient(
    local
      ? {
          endpoint: `http://127.0.0.1:${config.sqsPort}`,
          region: 'ap-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : { region: option('region') ?? process.env.AWS_REGION ?? 'ap-east-1' },
  );
  let total = 0;
  for (const route of CONSUMER_ROUTES) {
    const name = queueName(prefix, route.name, true);
    let url: string | undefined;
    try {
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    } catch (err) {
      const reason = local ? 'is `npm start` running?' : (err as Error).message;
      console.error(`${name}: not reachable (${reason})`);
      process.exitCode = 1;
      continue;
    }
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    const count = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    total += count;
    console.log(`${route.name}: ${count} dead letter(s)`);
    if (count > 0) {
      // A peek: received with no visibility timeout, so they stay where they are.
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      for (const m of Messages ?? []) {
        const change = changeOf({ body: m.Body ?? '{}' });
        const image = change.newImage ?? {};
        console.log(`  ${change.eventName} ${String(image.type)} ${String(image.pk)} ${String(image.sk)}`);
      }
      if (move) {
        await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: Attributes!.QueueArn! }));
        console.log(`  moved back to ${queueName(prefix, route.name)}`);
      }
    }
  }
  // The router's own failures (records it could not send for a day) are in the stream's failure destination.
  const failures = join(config.dataDir, 'stream-failures.jsonl');
  if (local && existsSync(failures)) {
    const lines = readFileSync(failures, 'utf8').split('\n').filter(Boolean).length;
    console.log(`stream router: ${lines} failed batch(es) recorded in ${failures} (re-read them from the stream, or restore the items)`);
  }
  if (!move && total > 0) console.log('Run again with --move to deliver them again.');
  sqs.destroy();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
