// The real local stack for integration tests: the functions of serverless.yml behind a real HTTP
// server on a free port, the file's own table in the run's DynamoDB Local, and the stream poller
// driven by the test (`drain()`), so every assertion sees what a client of the platform would.
import type { RunningStack } from '../../infra/stack';

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON and signature tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * A response body as the tests read it by default: parsed JSON, asserted on, not trusted (a test names a type
 * with `call<T>` where it wants one). The one loose type of the test helpers (eslint.config.mjs allows it in this file only).
 */
export type LooseJson = any;

export interface ApiResponse<T = LooseJson> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestStack {
  stack: RunningStack;
  call<T = LooseJson>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  login(userId: string, roles?: ('operator' | 'supplier')[], supplierId?: string): Promise<string>;
  drain(): Promise<void>;
  /** Feeds the stream functions while `work` runs (a job that waits on them), then drains. */
  whilePolling<T>(work: Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export function assertLocalEndpoint(endpoint: string | undefined): string {
  if (!endpoint || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(endpoint)) {
    throw new Error(`Integration tests run only against a local DynamoDB, not ${endpoint ?? '(none)'}`);
  }
  return endpoint;
}

export interface StackOptions {
  /** A known port, when the share links must name it (pages and posters); otherwise any free one. */
  port?: number;
  /** The stream and queues run by themselves, as in `npm start`. */
  background?: boolean;
}

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const endpoint = assertLocalEndpoint(process.env.DYNAMODB_ENDPOINT);
  if (options.port) process.env.PUBLIC_URL = `http://localhost:${options.port}`;
  const { startStack } = await import('../../infra/stack');
  const stack = await startStack({
    port: options.port ?? 0,
    dynamodbPort: 0,
    dynamodbEndpoint: endpoint,
    tableName: process.env.TABLE_NAME!,
    scheduler: false,
    // `background`: the stream and the queues are polled all the time, as in `npm start` (the scheduler
    // is the test's to start); otherwise the test drives them with drain().
    streams: options.background ? 'background' : 'manual',
  });
  const call = async (method: string, path: string, options: CallOptions = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await fetch(`${stack.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (CSV, say): keep the text
    }
    return { status: res.status, body: parsed as LooseJson, text, headers: res.headers };
  };
  return {
    stack,
    call,
    async login(userId, roles = [], supplierId) {
      const res = await call('POST', '/dev/login', { body: { userId, roles, ...(supplierId ? { supplierId } : {}) } });
      if (res.status !== 200) throw new Error(`login failed: ${res.text}`);
      return res.body.token as string;
    },
    drain: () => stack.drain(),
    async whilePolling(work) {
      let settled = false;
      const done = work.finally(() => (settled = true));
      while (!settled) {
        const streamed = await stack.poller.pollOnce();
        const delivered = await stack.queues.pollOnce();
        if (!streamed && !delivered) await new Promise((r) => setTimeout(r, 20));
      }
      await stack.drain();
      return done;
    },
    stop: () => stack.stop(),
  };
}

/**
 * The file's own stack: started before its tests (by a beforeAll registered where this is called, so a hook
 * registered earlier runs first) and stopped after them. What it returns stands for that stack: use it inside
 * tests and hooks, not while the file loads.
 */
export function useStack(options: StackOptions = {}): TestStack {
  let running: TestStack | undefined;
  beforeAll(async () => {
    running = await startTestStack(options);
  });
  afterAll(() => running?.stop());
  const stack = () => {
    if (!running) throw new Error('The stack runs from beforeAll on: use it inside tests and hooks');
    return running;
  };
  return {
    get stack() {
      return stack().stack;
    },
    call: <T = LooseJson>(method: string, path: string, options?: CallOptions) => stack().call<T>(method, path, options),
    login: (userId, roles, supplierId) => stack().login(userId, roles, supplierId),
    drain: () => stack().drain(),
    whilePolling: (work) => stack().whilePolling(work),
    stop: () => stack().stop(),
  };
}
