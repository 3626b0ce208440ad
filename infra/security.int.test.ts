// What the local stack shows the network, as an outsider would probe it: the HTTP API on loopback only,
// DynamoDB Local's tables hidden from anyone without this installation's key id, CORS only for the
// configured origins, the security headers on real answers.
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TestStack } from '../test/support/stack';
import { startTestStack } from '../test/support/stack';

let api: TestStack;
beforeAll(async () => {
  api = await startTestStack();
});
afterAll(() => api.stop());

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** The addresses other machines reach this one by. */
const networkAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && a.family === 'IPv4')
    .map((a) => a!.address);

describe('loopback only', () => {
  test("the HTTP API accepts connections on 127.0.0.1 only, not on the machine's network addresses", async () => {
    expect(api.stack.host).toBe('127.0.0.1');
    expect(await reachable('127.0.0.1', api.stack.port)).toBe(true);
    // Each network address, and another loopback address (Linux routes all of 127/8 to lo, so a
    // wildcard bind would answer it): refused.
    for (const host of [...networkAddresses(), '127.0.0.2'])
      expect({ host, reachable: await reachable(host, api.stack.port) }).toEqual({ host, reachable: false });
  });

  test("DynamoDB Local listens on every interface, but a client without this run's key id sees no tables", async () => {
    const port = Number(new URL(api.stack.endpoint).port);
    const region = process.env.AWS_REGION || 'ap-east-1';
    const client = (host: string, accessKeyId: string) =>
      new DynamoDBClient({
        endpoint: `http://${host}:${port}`,
        region,
        credentials: { accessKeyId, secretAccessKey: 'x' },
        maxAttempts: 1,
      });
    const mine = client('127.0.0.1', process.env.DYNAMODB_LOCAL_KEY_ID!);
    expect((await mine.send(new ListTablesCommand({}))).TableNames).toContain(process.env.TABLE_NAME);
    for (const host of ['127.0.0.1', ...networkAddresses()]) {
      for (const accessKeyId of ['local', 'AKIAIOSFODNN7EXAMPLE', 'x']) {
        const stranger = client(host, accessKeyId);
        expect({ host, accessKeyId, tables: (await stranger.send(new ListTablesCommand({}))).TableNames }).toEqual({
          host,
          accessKeyId,
          tables: [],
        });
        await expect(stranger.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME! }))).rejects.toThrow(
          /not found|non-existent/i,
        );
        stranger.destroy();
      }
    }
    mine.destroy();
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${api.stack.url}/leaders/me`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });

  test("the stack answers preflights for PUBLIC_URL's origin only, as API Gateway would", async () => {
    const own = new URL(process.env.PUBLIC_URL!).origin;
    const mine = await preflight(own);
    expect(mine.status).toBe(204);
    expect(mine.headers.get('access-control-allow-origin')).toBe(own);
    expect(mine.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${api.stack.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers on real answers', () => {
  test('nosniff on every answer; no-store on personal data and errors; no HSTS in the local stage', async () => {
    const token = await api.login('u-headers');
    const answers = {
      health: await api.call('GET', '/health'),
      login: await api.call('POST', '/dev/login', { body: { userId: 'u-headers' } }),
      me: await api.call('GET', '/me/orders', { token }),
      unauthenticated: await api.call('GET', '/me/orders'),
      invalid: await api.call('POST', '/leaders', { token, body: { name: '王\u202e芳' } }),
      unknown: await api.call('GET', '/no/such/route'),
      malformed: await api.call('GET', '/group-buys/%E0%A4%A'),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect({ name, nosniff: res.headers.get('x-content-type-options') }).toEqual({ name, nosniff: 'nosniff' });
      expect({ name, hsts: res.headers.get('strict-transport-security') }).toEqual({ name, hsts: null });
    }
    for (const name of ['login', 'me', 'unauthenticated', 'invalid', 'unknown', 'malformed'] as const)
      expect({ name, cache: answers[name].headers.get('cache-control') }).toEqual({ name, cache: 'no-store' });
    expect(answers.invalid.status).toBe(400);
    expect(answers.invalid.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'name' })]));
    expect(answers.malformed.status).toBe(400);
  });
});
