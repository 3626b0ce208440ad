// Sign-in for every stage: codes texted to phones, WeChat web authorization, refresh and logout, who am
// I, and the operators' list of who signs in for a supplier. (The sandbox's texts: `GET /dev/sms`, functions/dev.)
import {
  RefreshBodySchema,
  RequestSmsCodeBodySchema,
  SmsSignInBodySchema,
  SupplierIdPathSchema,
  SupplierMemberBodySchema,
  SupplierMemberPathSchema,
  WeChatSignInBodySchema,
} from '../../schemas/auth';
import { whoAmI } from '../../lib/auth/account';
import { addSupplierMember, removeSupplierMember } from '../../lib/auth/members';
import type { SignedIn } from '../../lib/auth/sign-in';
import { refreshSession, requestSmsCode, signInWithSms, signInWithWeChat, signOut } from '../../lib/auth/sign-in';
import { authDeps } from '../../lib/auth/wiring';
import type { Reply, Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = authDeps();

/** Tokens must not be kept by any cache between us and the client. */
const NO_STORE = { 'cache-control': 'no-store' };

const tokens = (signedIn: SignedIn): Reply => ({ body: { ...signedIn, tokenType: 'Bearer' }, headers: NO_STORE });

export const routes: Routes = {
  'POST /auth/sms-codes': route({
    auth: 'public',
    body: RequestSmsCodeBodySchema,
    status: 202,
    answer: ({ body, sourceIp }) => requestSmsCode(deps, body.phone, sourceIp),
  }),
  'POST /auth/sessions': route({
    auth: 'public',
    body: SmsSignInBodySchema,
    async handle({ body }) {
      return tokens(await signInWithSms(deps, body.phone, body.code));
    },
  }),
  'POST /auth/wechat': route({
    // Signed in: links the WeChat account to the caller; otherwise signs in as the WeChat account's user.
    auth: 'optional',
    body: WeChatSignInBodySchema,
    async handle({ body, principal }) {
      return tokens(await signInWithWeChat(deps, body.code, principal));
    },
  }),
  'POST /auth/refresh': route({
    auth: 'public',
    body: RefreshBodySchema,
    async handle({ body }) {
      return tokens(await refreshSession(deps, body.refreshToken));
    },
  }),
  'POST /auth/logout': route({
    auth: 'user',
    async handle({ principal }) {
      await signOut(deps, principal);
      return { status: 204, body: undefined };
    },
  }),
  'GET /me': route({
    auth: 'user',
    async handle({ principal }) {
      return { body: await whoAmI(deps, principal), headers: NO_STORE };
    },
  }),
  'POST /suppliers/{supplierId}/members': route({
    auth: 'user',
    path: SupplierIdPathSchema,
    body: SupplierMemberBodySchema,
    async handle({ principal, path, body }) {
      const member = await addSupplierMember(deps, principal, path.supplierId, body.phone);
      return { status: 201, body: { supplierId: member.supplierId, phone: member.phone, addedAt: member.addedAt } };
    },
  }),
  'DELETE /suppliers/{supplierId}/members/{phone}': route({
    auth: 'user',
    path: SupplierMemberPathSchema,
    async handle({ principal, path }) {
      await removeSupplierMember(deps, principal, path.supplierId, path.phone);
      return { status: 204, body: undefined };
    },
  }),
};

export const main = httpFunction(routes);
