// Sign-in as one contract (codes and their rate limits, sessions and refresh-token rotation, users by phone
// and by OPENID, supplier members, the sandbox's texts, the OPENID payments read, the health probe), written
// once and run against both stores: DynamoDB Local and CloudBase (its real SDK against the wire-level stand-in).
// The real use-cases drive the stores; the assertions are what a user or an operator would see, races included.
// (The limits' arithmetic, five an hour and twenty per address, is the rules' and is tested on the local stack:
// functions/auth/handler.int.test.ts. Here: that the stores keep the logs the limits judge, under races.)
import { randomInt } from 'node:crypto';
import type { AuditEvent } from '../../schemas/common';
import type { SupplierMember } from '../../schemas/auth';
import { whoAmI } from '../../lib/auth/account';
import { addSupplierMember, removeSupplierMember } from '../../lib/auth/members';
import type { CodeStore, MemberStore, SentSmsLog, SessionStore, UserStore } from '../../lib/auth/ports';
import { deriveKey } from '../../lib/auth/rules';
import type { SignInDeps } from '../../lib/auth/sign-in';
import { refreshSession, requestSmsCode, signInWithSms, signInWithWeChat, signOut } from '../../lib/auth/sign-in';
import type { StoreProbe } from '../../lib/health/health';
import type { WeChatIdentities } from '../../lib/payments/provider';
import { sandboxSmsSender } from '../../lib/providers/sms/sandbox';
import { sandboxWeChatAuth } from '../../lib/providers/wechat/sandbox';
import type { Principal } from '../../lib/runtime/auth';
import { stageIdentity } from '../../lib/runtime/auth';
import { ulid } from '../../lib/runtime/clock';
import { AppError } from '../../lib/runtime/errors';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { cloudbaseStoreProbe } from '../../lib/adapters/cloudbase/health';
import { cloudbaseMemberStore } from '../../lib/adapters/cloudbase/members';
import { cloudbaseSentSmsLog } from '../../lib/adapters/cloudbase/sandbox-sms';
import { cloudbaseSessionStore } from '../../lib/adapters/cloudbase/sessions';
import { cloudbaseCodeStore } from '../../lib/adapters/cloudbase/sms-codes';
import { cloudbaseUserStore } from '../../lib/adapters/cloudbase/users';
import { cloudbaseWeChatIdentities } from '../../lib/adapters/cloudbase/wechat-identities';
import { auditTrail } from '../../lib/store/audit';
import { dynamoStoreProbe } from '../../lib/store/health';
import { dynamoMemberStore } from '../../lib/store/members';
import { dynamoSentSmsLog } from '../../lib/store/sandbox-sms';
import { dynamoSessionStore } from '../../lib/store/sessions';
import { dynamoCodeStore } from '../../lib/store/sms-codes';
import { dynamoUserStore } from '../../lib/store/users';
import { dynamoWeChatIdentities } from '../../lib/store/wechat-identities';
import { storeTargets } from './stores';

interface SignInStores {
  users: UserStore;
  codes: CodeStore;
  sessions: SessionStore;
  members: MemberStore;
  texts: SentSmsLog;
  wechatIds: WeChatIdentities;
  probe: StoreProbe;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
}

const TARGETS = storeTargets<SignInStores>({
  dynamodb: (client) => ({
    users: dynamoUserStore(client),
    codes: dynamoCodeStore(client),
    sessions: dynamoSessionStore(client),
    members: dynamoMemberStore(client),
    texts: dynamoSentSmsLog(client),
    wechatIds: dynamoWeChatIdentities(client),
    probe: dynamoStoreProbe(client),
    auditTrail: (entityId) => auditTrail(entityId, client),
  }),
  cloudbase: (db) => ({
    users: cloudbaseUserStore(db),
    codes: cloudbaseCodeStore(db),
    sessions: cloudbaseSessionStore(db),
    members: cloudbaseMemberStore(db),
    texts: cloudbaseSentSmsLog(db),
    wechatIds: cloudbaseWeChatIdentities(db),
    probe: cloudbaseStoreProbe(db),
    auditTrail: (entityId) => cloudbaseAuditTrail(entityId, db),
  }),
});

const START = new Date('2026-12-01T02:00:00.000Z');
const OPERATOR = '13900000001';
const SUPPLIERS = new Set(['S1', 'S2']);
const OPERATOR_PRINCIPAL: Principal = { userId: 'u-operator', roles: ['operator'] };

/** A phone of its own for each case (the rate limits are per phone). */
const newPhone = () => `137${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
/** A client address of its own for each case (the rate limits are per address too). */
const newIp = () => `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      if (err instanceof AppError) return err.code;
      throw err;
    },
  );

describe.each(TARGETS)('sign-in on $name', (target) => {
  let stores: SignInStores & { stop(): Promise<void> };
  let now = START;
  let deps: SignInDeps & Parameters<typeof addSupplierMember>[0] & Parameters<typeof whoAmI>[0];

  beforeAll(async () => {
    stores = await target.start();
    deps = {
      users: stores.users,
      codes: stores.codes,
      sessions: stores.sessions,
      members: stores.members,
      sms: sandboxSmsSender(stores.texts, () => now),
      wechat: sandboxWeChatAuth(),
      identity: stageIdentity,
      clock: { now: () => now },
      ids: { next: () => ulid(now.getTime()) },
      keys: { code: deriveKey('contract-secret', 'sms-code'), refresh: deriveKey('contract-secret', 'refresh-token') },
      operatorPhones: new Set([OPERATOR]),
      suppliers: {
        getSupplier: async (id) => (SUPPLIERS.has(id) ? { supplierId: id, name: id, contactPhone: OPERATOR, createdAt: '' } : undefined),
      },
      leaders: { getByUser: async () => undefined },
    };
  });
  afterAll(() => stores.stop());
  beforeEach(() => {
    now = START;
  });
  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };

  /** Asks for a code and reads it from the sandbox's texts, as a tester reads `GET /dev/sms`. */
  async function textedCode(phone: string, ip = newIp()): Promise<string> {
    await requestSmsCode(deps, phone, ip);
    const text = await stores.texts.last(phone);
    expect(text).toMatchObject({ phone, sentAt: now.toISOString() });
    return text!.code;
  }
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('a texted code signs a phone in once; the same phone is always the same user', async () => {
    const phone = newPhone();
    const code = await textedCode(phone);
    const first = await signInWithSms(deps, phone, code);
    expect(first.user.roles).toEqual([]);
    await expect(outcome(signInWithSms(deps, phone, code))).resolves.toBe('UNAUTHENTICATED');

    later(61);
    const second = await signInWithSms(deps, phone, await textedCode(phone));
    expect(second.user.userId).toBe(first.user.userId);
    expect(await stores.users.findByPhone(phone)).toEqual({ userId: first.user.userId, phone, createdAt: START.toISOString() });
    expect(await whoAmI(deps, { userId: first.user.userId, roles: [] })).toMatchObject({
      phone: expect.stringContaining('****'),
      wechatLinked: false,
    });
    expect((await stores.auditTrail(first.user.userId)).map((e) => e.action)).toEqual(['user.created', 'user.signed_in', 'user.signed_in']);
  });

  it('a code is void after five wrong tries, also when they race, and after five minutes', async () => {
    const phone = newPhone();
    const code = await textedCode(phone);
    // Five wrong tries at once: each is counted (none lost to a race), so the right code no longer works.
    const tries = await Promise.all(Array.from({ length: 5 }, () => outcome(signInWithSms(deps, phone, wrong(code)))));
    expect(tries).toEqual(Array(5).fill('UNAUTHENTICATED'));
    await expect(outcome(signInWithSms(deps, phone, code))).resolves.toBe('UNAUTHENTICATED');

    // A wrong try leaves the rest: the right code still works until its five minutes are up…
    later(61);
    const next = await textedCode(phone);
    await expect(outcome(signInWithSms(deps, phone, wrong(next)))).resolves.toBe('UNAUTHENTICATED');
    later(299);
    await expect(outcome(signInWithSms(deps, phone, next))).resolves.toBe('ok');
    // …and not a moment longer.
    later(61);
    const expiring = await textedCode(phone);
    later(300);
    await expect(outcome(signInWithSms(deps, phone, expiring))).resolves.toBe('UNAUTHENTICATED');
  });

  it('one code per phone a minute, even when asked for at once; 429 says when to retry', async () => {
    const phone = newPhone();
    const asks = await Promise.all(Array.from({ length: 5 }, () => outcome(requestSmsCode(deps, phone, newIp()))));
    expect(asks.sort()).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'ok']);

    later(30);
    const refused = await requestSmsCode(deps, phone, newIp()).catch((err: AppError) => err);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', headers: { 'retry-after': '30' } });
    later(31);
    await expect(outcome(requestSmsCode(deps, phone, newIp()))).resolves.toBe('ok');
    // The log kept both sends: the next minute is judged from the newer one.
    later(59);
    await expect(requestSmsCode(deps, phone, newIp()).catch((err: AppError) => err)).resolves.toMatchObject({
      headers: { 'retry-after': '1' },
    });
  });

  /** A sign-in of a new user through WeChat's sandbox (fewer store calls than a texted code). */
  const newSignIn = () => signInWithWeChat(deps, `sandbox:oUser${ulid().slice(-20)}`, { userId: '', roles: [] });
  const actionsOf = async (userId: string) => (await stores.auditTrail(userId)).map((e) => e.action);

  it('refresh rotates the pair; a token presented again revokes the sign-in, as does one presented twice at once', async () => {
    const signedIn = await newSignIn();
    const rotated = await refreshSession(deps, signedIn.refreshToken);
    expect(rotated.refreshToken).not.toBe(signedIn.refreshToken);
    const again = await refreshSession(deps, rotated.refreshToken);

    // The first token again: a copy was used. Neither the copy nor the newest token works any more.
    await expect(outcome(refreshSession(deps, signedIn.refreshToken))).resolves.toBe('UNAUTHENTICATED');
    await expect(outcome(refreshSession(deps, again.refreshToken))).resolves.toBe('UNAUTHENTICATED');
    expect(await actionsOf(signedIn.user.userId)).toEqual(['user.created', 'user.signed_in', 'user.sign_in_revoked']);

    const other = await newSignIn();
    const raced = await Promise.allSettled([refreshSession(deps, other.refreshToken), refreshSession(deps, other.refreshToken)]);
    const won = raced.filter((r) => r.status === 'fulfilled');
    expect([won.length, raced.find((r) => r.status === 'rejected')]).toEqual([
      1,
      { status: 'rejected', reason: expect.objectContaining({ code: 'UNAUTHENTICATED' }) },
    ]);
    // The winner's new token dies with the sign-in: whoever holds a copy cannot keep it alive.
    await expect(outcome(refreshSession(deps, won[0]!.value.refreshToken))).resolves.toBe('UNAUTHENTICATED');
    expect(await actionsOf(other.user.userId)).toEqual(['user.created', 'user.signed_in', 'user.sign_in_revoked']);
  });

  it('logout ends the sign-in: its refresh token stops working; a second logout changes nothing', async () => {
    const signedIn = await newSignIn();
    const principal = await stageIdentity.verify(signedIn.accessToken);
    await signOut(deps, principal);
    await signOut(deps, principal);
    await expect(outcome(refreshSession(deps, signedIn.refreshToken))).resolves.toBe('UNAUTHENTICATED');
    expect(await actionsOf(signedIn.user.userId)).toEqual(['user.created', 'user.signed_in', 'user.signed_out']);
  });

  it('an OPENID is one user however many first sign-ins race; a signed-in user links theirs once', async () => {
    const openId = `oRace${ulid().slice(-20)}`;
    const raced = await Promise.all(
      Array.from({ length: 3 }, () => signInWithWeChat(deps, `sandbox:${openId}`, { userId: '', roles: [] })),
    );
    const userIds = new Set(raced.map((r) => r.user.userId));
    expect(userIds.size).toBe(1);
    const [wechatUser] = userIds;
    expect(await stores.users.findByOpenId(openId)).toMatchObject({ userId: wechatUser, wechatOpenId: openId });
    expect((await stores.auditTrail(wechatUser!)).filter((e) => e.action === 'user.created')).toHaveLength(1);

    // A phone user links another OPENID to their account: payments then find it.
    const phone = newPhone();
    const byPhone = await signInWithSms(deps, phone, await textedCode(phone));
    const caller = await stageIdentity.verify(byPhone.accessToken);
    const mine = `oMine${ulid().slice(-20)}`;
    expect((await signInWithWeChat(deps, `sandbox:${mine}`, caller)).user.userId).toBe(byPhone.user.userId);
    expect(await stores.wechatIds.openIdOf(byPhone.user.userId)).toBe(mine);
    expect(await whoAmI(deps, caller)).toMatchObject({ userId: byPhone.user.userId, wechatLinked: true });
    // The same OPENID signs in as that user from now on.
    expect((await signInWithWeChat(deps, `sandbox:${mine}`, { userId: '', roles: [] })).user.userId).toBe(byPhone.user.userId);

    // Someone else's OPENID, or a second one of their own: refused, nothing changed.
    await expect(outcome(signInWithWeChat(deps, `sandbox:${openId}`, caller))).resolves.toBe('CONFLICT');
    await expect(outcome(signInWithWeChat(deps, `sandbox:oOther${ulid().slice(-20)}`, caller))).resolves.toBe('CONFLICT');
    expect(await stores.wechatIds.openIdOf(byPhone.user.userId)).toBe(mine);
    expect(await stores.users.findByOpenId(openId)).toMatchObject({ userId: wechatUser });
    expect((await actionsOf(byPhone.user.userId)).filter((a) => a === 'user.wechat_linked')).toHaveLength(1);

    // A user of `/dev/login` has no profile yet: linking creates it.
    const devUser = `u-dev-${ulid()}`;
    const devOpenId = `oDev${ulid().slice(-20)}`;
    await signInWithWeChat(deps, `sandbox:${devOpenId}`, { userId: devUser, roles: [] });
    expect(await stores.users.get(devUser)).toEqual({ userId: devUser, wechatOpenId: devOpenId, createdAt: START.toISOString() });
  });

  it('a supplier member signs in as their supplier, one supplier per phone, until removed', async () => {
    const phone = newPhone();
    // Two operators add the same phone to two suppliers at once: one wins, the other is told.
    const added = await Promise.all(['S1', 'S2'].map((s) => outcome(addSupplierMember(deps, OPERATOR_PRINCIPAL, s, phone))));
    expect(added.sort()).toEqual(['CONFLICT', 'ok']);
    const member = (await stores.members.get(phone)) as SupplierMember;
    expect(member).toMatchObject({ phone, addedBy: OPERATOR_PRINCIPAL.userId, addedAt: START.toISOString() });
    // Adding again to the same supplier changes nothing; an unknown supplier is a 404.
    await expect(addSupplierMember(deps, OPERATOR_PRINCIPAL, member.supplierId, phone)).resolves.toEqual(member);
    await expect(outcome(addSupplierMember(deps, OPERATOR_PRINCIPAL, 'S9', newPhone()))).resolves.toBe('NOT_FOUND');
    await expect(outcome(addSupplierMember(deps, { userId: 'u-x', roles: [] }, 'S1', newPhone()))).resolves.toBe('FORBIDDEN');

    const supplier = await signInWithSms(deps, phone, await textedCode(phone));
    expect(supplier.user).toMatchObject({ roles: ['supplier'], supplierId: member.supplierId });

    later(60);
    await removeSupplierMember(deps, OPERATOR_PRINCIPAL, member.supplierId, phone);
    await expect(outcome(removeSupplierMember(deps, OPERATOR_PRINCIPAL, member.supplierId, phone))).resolves.toBe('NOT_FOUND');
    expect(await stores.members.supplierOf(phone)).toBeUndefined();
    // The role goes at the next refresh; the phone may now join the other supplier.
    expect((await refreshSession(deps, supplier.refreshToken)).user).toEqual({ userId: supplier.user.userId, roles: [] });
    const other = member.supplierId === 'S1' ? 'S2' : 'S1';
    await expect(addSupplierMember(deps, OPERATOR_PRINCIPAL, other, phone)).resolves.toMatchObject({ supplierId: other });
    expect((await stores.auditTrail(member.supplierId)).map((e) => e.action)).toEqual(['supplier.member_added', 'supplier.member_removed']);
  });

  it('the health probe reads the store', async () => {
    await expect(stores.probe.ping()).resolves.toBeUndefined();
  });
});
