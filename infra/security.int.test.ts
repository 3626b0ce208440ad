// What the local stack shows the network, as an outsider would probe it: CORS only for the configured
// origins, the security headers on real answers.
import { startTestStack, type TestStack } from '../test/support/stack';

let api: TestStack;
beforeAll(async () => {
  api = await startTestStack();
});
afterAll(() => api.stop());

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
