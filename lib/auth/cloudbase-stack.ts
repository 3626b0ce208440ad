// Production wiring of a CloudBase HTTP entry whose callers are users: a bearer token, or a call from the
// mini-program, whose caller is the user of the WX_OPENID CloudBase vouches for (found, or made, once).
import { cloudbaseHttpFunction, miniProgramCaller } from '../runtime/cloudbase-http';
import { stageIdentity } from '../runtime/auth';
import { httpFunction, type Routes } from '../runtime/http';
import { weChatCaller } from './wechat-caller';
import { weChatCallerDeps } from './wiring';

/** `exports.main` of a CloudBase function serving `routes` to users of the web pages and of the mini-program. */
export function cloudbaseUserHttpFunction(routes: Routes) {
  const callers = weChatCallerDeps();
  return cloudbaseHttpFunction(
    routes,
    httpFunction(
      routes,
      stageIdentity,
      miniProgramCaller((openId) => weChatCaller(callers, openId)),
    ),
  );
}
