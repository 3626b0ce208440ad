// Signing in: a code texted to a phone or WeChat web authorization starts a sign-in (a session), which
// hands out a short-lived access token and a refresh token that rotates on every use. Roles are
// evaluated from the platform's own records at sign-in and at every refresh, never taken from a client.
import type { RefreshTokenRecord, Session, SignInMethod, User } from '../../schemas/auth';
import type { Identity, Principal } from '../runtime/auth';
import { ACCESS_TOKEN_TTL_SECONDS } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { AppError, conflict, rateLimited } from '../runtime/errors';
import type { CodeStore, MemberStore, SessionStore, SmsSender, UserStore, WeChatAuth } from './ports';
import type { Grant } from './rules';
import {
  admit,
  CODE_TTL_SECONDS,
  grantFor,
  hashCode,
  hashRefreshToken,
  ipBucket,
  IP_LIMITS,
  MAX_CODE_ATTEMPTS,
  newCode,
  newRefreshToken,
  PHONE_LIMITS,
  REFRESH_TOKEN_TTL_DAYS,
  sameHash,
} from './rules';

export interface SignInDeps {
  users: UserStore;
  codes: CodeStore;
  sessions: SessionStore;
  members: MemberStore;
  sms: SmsSender;
  wechat: WeChatAuth;
  identity: Identity;
  clock: Clock;
  ids: Ids;
  /** HMAC keys of stored codes and refresh tokens (derived from AUTH_SECRET). */
  keys: { code: Buffer; refresh: Buffer };
  operatorPhones: ReadonlySet<string>;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
  user: { userId: string } & Grant;
}

const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message);

/** One answer for every failed code, so that the answer says nothing about the phone. */
const BAD_CODE = 'The code is wrong, used or expired';
const BAD_REFRESH = 'The refresh token is not valid';

const phoneLog = (phone: string) => `phone:${phone}`;
const ipLog = (sourceIp: string) => `ip:${ipBucket(sourceIp)}`;

/**
 * Texts a new code to the phone, within the rate limits of the phone and of the client's address.
 * Nothing here looks at whether the phone has an account: every phone gets the same answer.
 */
export async function requestSmsCode(deps: SignInDeps, phone: string, sourceIp: string): Promise<{ expiresInSeconds: number }> {
  const keys = [phoneLog(phone), ipLog(sourceIp)] as const;
  // Each try re-reads the logs; a race with another request for the same phone or address is lost at most
  // a few times before it is simply refused.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.clock.now();
    const logs = await deps.codes.sendLogs([...keys]);
    const phoneLogBefore = logs.get(keys[0]) ?? { sends: [], version: 0 };
    const ipLogBefore = logs.get(keys[1]) ?? { sends: [], version: 0 };
    const byPhone = admit(phoneLogBefore.sends, PHONE_LIMITS, now.getTime());
    const byIp = admit(ipLogBefore.sends, IP_LIMITS, now.getTime());
    if (!byPhone.ok || !byIp.ok) {
      throw rateLimited(Math.max(byPhone.ok ? 0 : byPhone.retryAfterSeconds, byIp.ok ? 0 : byIp.retryAfterSeconds));
    }
    const code = newCode();
    const outcome = await deps.codes.saveCode(
      {
        phone,
        codeHash: hashCode(deps.keys.code, phone, code),
        sentAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
        attempts: 0,
      },
      [
        { key: keys[0], before: phoneLogBefore, after: byPhone.sends, keepUntil: byPhone.keepUntil },
        { key: keys[1], before: ipLogBefore, after: byIp.sends, keepUntil: byIp.keepUntil },
      ],
    );
    if (outcome === 'saved') {
      await deps.sms.sendCode(phone, code, CODE_TTL_SECONDS / 60);
      return { expiresInSeconds: CODE_TTL_SECONDS };
    }
  }
  throw rateLimited(1);
}

/** Signs in with the code last texted to the phone; the phone's user is created at its first sign-in. */
export async function signInWithSms(deps: SignInDeps, phone: string, code: string): Promise<SignedIn> {
  const now = deps.clock.now();
  const presented = hashCode(deps.keys.code, phone, code);
  const stored = await deps.codes.countAttempt(phone, now.toISOString(), MAX_CODE_ATTEMPTS);
  if (!stored || !sameHash(stored.codeHash, presented)) throw unauthenticated(BAD_CODE);
  // Single use: of two requests racing with the right code, one wins.
  if (!(await deps.codes.useCode(phone, stored.codeHash))) throw unauthenticated(BAD_CODE);
  const user = await userOf(deps, { phone }, now);
  return startSession(deps, user, 'sms', now);
}

/**
 * Signs in with a WeChat web-authorization code. Anonymous callers sign in as the OPENID's user (created
 * at its first sign-in). A signed-in caller links the OPENID to their own user instead, so that a
 * leader who signed up by phone can be paid to their WeChat balance.
 */
export async function signInWithWeChat(deps: SignInDeps, code: string, caller: Principal): Promise<SignedIn> {
  const exchanged = await deps.wechat.openIdFor(code);
  if ('invalid' in exchanged) throw unauthenticated('WeChat did not accept the code');
  const { openId } = exchanged;
  const now = deps.clock.now();
  if (!caller.userId) return startSession(deps, await userOf(deps, { openId }, now), 'wechat', now);

  const current = await deps.users.get(caller.userId);
  if (current?.wechatOpenId !== openId) {
    const outcome = await deps.users.bindOpenId(caller.userId, openId, {
      entityId: caller.userId,
      entityType: 'user',
      action: 'user.wechat_linked',
      actor: caller.userId,
      at: now.toISOString(),
      ...(current ? { before: current } : {}),
      after: { ...(current ?? { userId: caller.userId, createdAt: now.toISOString() }), wechatOpenId: openId },
    });
    if (outcome === 'openid_taken') throw conflict('This WeChat account already belongs to another user');
    if (outcome === 'user_has_other') throw conflict('You are already linked to another WeChat account');
  }
  const user = await deps.users.get(caller.userId);
  if (!user) throw new Error(`user ${caller.userId} missing after linking WeChat`);
  return startSession(deps, user, 'wechat', now);
}

/**
 * Exchanges a refresh token for a new pair, with the roles evaluated again. A token presented a second
 * time means it was copied: the whole sign-in is revoked, so neither copy works any more.
 */
export async function refreshSession(deps: SignInDeps, refreshToken: string): Promise<SignedIn> {
  const now = deps.clock.now();
  const token = await deps.sessions.getToken(hashRefreshToken(deps.keys.refresh, refreshToken));
  if (!token) throw unauthenticated(BAD_REFRESH);
  const session = await deps.sessions.get(token.sessionId);
  if (!session || session.status !== 'active') throw unauthenticated('This sign-in has ended');
  if (token.status === 'rotated') {
    await revokeForReuse(deps, session, now);
    throw unauthenticated('This refresh token was already used; the sign-in is revoked');
  }
  if (token.expiresAt <= now.toISOString()) throw unauthenticated(BAD_REFRESH);

  const user = (await deps.users.get(token.userId)) ?? { userId: token.userId, createdAt: session.createdAt };
  const grant = await grantOf(deps, user);
  const { secret, record } = refreshTokenFor(deps, session, now);
  if ((await deps.sessions.rotate(token, record, now.toISOString())) === 'stale') {
    // Another request rotated this very token first (or the sign-in ended meanwhile): a replay.
    await revokeForReuse(deps, session, now);
    throw unauthenticated('This refresh token was already used; the sign-in is revoked');
  }
  return tokensFor(deps, user, grant, session.sessionId, secret);
}

/** Ends the caller's sign-in: its refresh tokens stop working. A token without a sign-in (`/dev/login`) has none to end. */
export async function signOut(deps: SignInDeps, principal: Principal): Promise<void> {
  if (!principal.sessionId) return;
  const session = await deps.sessions.get(principal.sessionId);
  if (!session || session.userId !== principal.userId || session.status !== 'active') return;
  const at = deps.clock.now().toISOString();
  await deps.sessions.revoke(session.sessionId, 'logout', at, {
    entityId: session.userId,
    entityType: 'user',
    action: 'user.signed_out',
    actor: principal.userId,
    at,
    after: { sessionId: session.sessionId },
  });
}

async function revokeForReuse(deps: SignInDeps, session: Session, now: Date): Promise<void> {
  const at = now.toISOString();
  await deps.sessions.revoke(session.sessionId, 'reuse', at, {
    entityId: session.userId,
    entityType: 'user',
    action: 'user.sign_in_revoked',
    actor: 'system',
    at,
    after: { sessionId: session.sessionId, reason: 'refresh token reused' },
  });
}

/**
 * The user of a phone or an OPENID, created when it signs in for the first time (also how a mini-program
 * caller vouched for by CloudBase becomes a user: lib/auth/wechat-caller.ts).
 */
export async function userOf(
  deps: { users: Pick<UserStore, 'findByPhone' | 'findByOpenId' | 'create'>; ids: Ids },
  by: { phone: string } | { openId: string },
  now: Date,
): Promise<User> {
  const find = () => ('phone' in by ? deps.users.findByPhone(by.phone) : deps.users.findByOpenId(by.openId));
  const existing = await find();
  if (existing) return existing;
  const user: User = {
    userId: deps.ids.next(),
    ...('phone' in by ? { phone: by.phone } : { wechatOpenId: by.openId }),
    createdAt: now.toISOString(),
  };
  const outcome = await deps.users.create(user, {
    entityId: user.userId,
    entityType: 'user',
    action: 'user.created',
    actor: user.userId,
    at: user.createdAt,
    after: user,
  });
  if (outcome === 'created') return user;
  // Two first sign-ins raced: the other one created the user.
  const winner = await find();
  if (!winner) throw new Error('user vanished after a lost creation race');
  return winner;
}

async function grantOf(deps: SignInDeps, user: User): Promise<Grant> {
  const supplierId = user.phone ? await deps.members.supplierOf(user.phone) : undefined;
  return grantFor(user.phone, deps.operatorPhones, supplierId);
}

function refreshTokenFor(deps: SignInDeps, session: Session, now: Date): { secret: string; record: RefreshTokenRecord } {
  const secret = newRefreshToken();
  return {
    secret,
    record: {
      tokenHash: hashRefreshToken(deps.keys.refresh, secret),
      sessionId: session.sessionId,
      userId: session.userId,
      status: 'current',
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 86_400_000).toISOString(),
    },
  };
}

async function startSession(deps: SignInDeps, user: User, method: SignInMethod, now: Date): Promise<SignedIn> {
  const grant = await grantOf(deps, user);
  const session: Session = { sessionId: deps.ids.next(), userId: user.userId, method, status: 'active', createdAt: now.toISOString() };
  const { secret, record } = refreshTokenFor(deps, session, now);
  await deps.sessions.start(session, record, {
    entityId: user.userId,
    entityType: 'user',
    action: 'user.signed_in',
    actor: user.userId,
    at: session.createdAt,
    after: { sessionId: session.sessionId, method, ...grant },
  });
  return tokensFor(deps, user, grant, session.sessionId, secret);
}

async function tokensFor(deps: SignInDeps, user: User, grant: Grant, sessionId: string, refreshToken: string): Promise<SignedIn> {
  const accessToken = await deps.identity.issue({ userId: user.userId, ...grant, sessionId });
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS, user: { userId: user.userId, ...grant } };
}
