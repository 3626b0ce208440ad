// Production wiring of a CloudBase HTTP entry whose callers are users: a bearer token, or a call from the
// mini-program, whose caller is the user of the WX_OPENID CloudBase vouches for (found, or made, once).
import { cloudbaseHttpFunction } from '../runtime/cloudbase-http';
import { stageIdentity } from '../runtime/auth';
import type { Routes } from '../runtime/http';
import { httpFunction } from '../runtime/http';
import { miniProgramCallers } from './wiring';

/** `exports.main` of a CloudBase function serving `routes` to users of the web pages and of the mini-program. */
export const cloudbaseUserHttpFunction = (routes: Routes) =>
  cloudbaseHttpFunction(routes, httpFunction(routes, stageIdentity, miniProgramCallers()));
