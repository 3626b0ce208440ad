// Who is signed in, kept in this browser (no server-side session), and every way of signing in:
// a phone code and WeChat (API.md "/auth/*"), and — in the local stage only — `/dev/login`, all behind
// this module so that the pages never know which one was used.
import { reactive } from 'vue';
import type { Session } from '@schemas/views';

export interface SignedIn {
  accessToken: string;
  refreshToken?: string;
  user: Session['user'];
}

const KEY = 'tuangou.session';

function load(): SignedIn | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as SignedIn) : undefined;
  } catch {
    return undefined;
  }
}

export const state = reactive<{ current: SignedIn | undefined }>({ current: load() });

function save(value: SignedIn | undefined) {
  state.current = value;
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
}

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly notAvailable = false,
  ) {
    super(message);
  }
}

/** /dev/login exists only in the local stage; the pages offer it on a local address only. */
export const isLocalStage = () => ['localhost', '127.0.0.1'].includes(location.hostname);
export const inWeChat = () => /MicroMessenger/i.test(navigator.userAgent);

/** The payload of a JWT, for the roles of a /dev/login token (display only: the server checks them). */
function claimsOf(token: string): { sub: string; roles?: Session['user']['roles']; supplierId?: string } {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
}

export const session = {
  accessToken: () => state.current?.accessToken,
  user: () => state.current?.user,
  clear: () => save(undefined),

  /** Texts a sign-in code to the phone. */
  async requestCode(phone: string): Promise<void> {
    const res = await post<{ error?: { code: string; message: string } }>('/auth/sms-codes', { phone });
    if (res.status === 202) return;
    if (res.status === 404) throw new SignInError('短信登录暂未开通', true);
    if (res.status === 429) throw new SignInError('获取验证码太频繁，请稍后再试');
    throw new SignInError(res.status === 400 ? '请输入正确的11位手机号' : '验证码发送失败，请稍后再试');
  },

  async signInWithCode(phone: string, code: string): Promise<void> {
    const res = await post<Session>('/auth/sessions', { phone, code });
    if (res.status === 404) throw new SignInError('短信登录暂未开通', true);
    if (res.status !== 200) throw new SignInError('验证码不正确或已过期');
    save({ accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, user: res.body.user });
  },

  /** Web authorization inside WeChat: the page came back from WeChat with `code`. */
  async signInWithWeChat(code: string): Promise<void> {
    const res = await post<Session>('/auth/wechat', { code });
    if (res.status !== 200) throw new SignInError('微信登录失败，请用手机号登录', res.status === 404);
    save({ accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, user: res.body.user });
  },

  /** Where WeChat sends the resident to authorize (snsapi_base: no prompt), coming back to `returnTo`. */
  wechatAuthorizeUrl(returnTo: string): string | undefined {
    const appId = import.meta.env.VITE_WECHAT_APPID;
    if (!appId) return undefined;
    const redirect = encodeURIComponent(new URL(returnTo, location.origin).toString());
    return `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${appId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=signin#wechat_redirect`;
  },

  /** Local stage only: a token for any user and roles, from /dev/login. */
  async devSignIn(phone: string, role: 'resident' | 'supplier' | 'operator', supplierId?: string): Promise<void> {
    const roles = role === 'resident' ? [] : [role];
    const res = await post<{ token: string }>('/dev/login', {
      userId: `u-${phone}`,
      roles,
      ...(role === 'supplier' ? { supplierId } : {}),
    });
    if (res.status !== 200) throw new SignInError(res.status === 404 ? '开发登录只在本地环境可用' : '开发登录失败：请检查填写的内容');
    const claims = claimsOf(res.body.token);
    save({
      accessToken: res.body.token,
      user: { userId: claims.sub, roles: claims.roles ?? [], ...(claims.supplierId ? { supplierId: claims.supplierId } : {}) },
    });
  },

  /** A new token pair from the refresh token; false when there is none or it was refused. */
  async refresh(): Promise<boolean> {
    const refreshToken = state.current?.refreshToken;
    if (!refreshToken) return false;
    const res = await post<Session>('/auth/refresh', { refreshToken });
    if (res.status !== 200) {
      save(undefined);
      return false;
    }
    save({ accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, user: res.body.user });
    return true;
  },

  async signOut(): Promise<void> {
    const token = state.current?.accessToken;
    save(undefined);
    if (token && state.current === undefined) {
      await fetch('/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    }
  },
};
