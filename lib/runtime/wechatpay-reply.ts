// How a WeChat Pay notification route answers: 200 once handled; a refusal (4xx) as `{"code": "FAIL",
// "message"}`, which WeChat Pay reads and retries. Anything unexpected stays a 500 (it retries that too).
import { AppError } from './errors';
import type { Reply } from './http';

export async function answerWeChatPay(enabled: boolean, work: () => Promise<unknown>): Promise<Reply> {
  if (!enabled) return { status: 404, body: { code: 'FAIL', message: 'WeChat Pay is not the payment provider of this stage' } };
  try {
    await work();
    return { body: { code: 'SUCCESS', message: 'OK' } };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { status: err.status, body: { code: 'FAIL', message: err.message } };
    throw err;
  }
}
