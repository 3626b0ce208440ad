// Identity: HS256 JWTs signed with AUTH_SECRET (jose). A principal is who the token says; whether a
// user is a leader is looked up in the store, never taken from the token.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { AppError } from './errors';

export const ROLES = ['operator', 'supplier'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  userId: string;
  roles: Role[];
  supplierId?: string;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(ROLES)).default([]),
  supplierId: z.string().min(1).optional(),
});

const TOKEN_TTL = '12h';
const ALG = 'HS256';

export interface Identity {
  verify(bearerToken: string): Promise<Principal>;
  issue(principal: Principal): Promise<string>;
}

export function jwtIdentity(secret: () => string): Identity {
  let key: Uint8Array | undefined;
  const keyOf = () => (key ??= new TextEncoder().encode(secret()));
  return {
    async issue({ userId, roles, supplierId }) {
      return new SignJWT({ roles, ...(supplierId ? { supplierId } : {}) })
        .setProtectedHeader({ alg: ALG })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(TOKEN_TTL)
        .sign(keyOf());
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keyOf(), { algorithms: [ALG] });
        const claims = ClaimsSchema.parse(payload);
        return { userId: claims.sub, roles: claims.roles, ...(claims.supplierId ? { supplierId: claims.supplierId } : {}) };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw new AppError('UNAUTHENTICATED', 'Token expired');
        if (err instanceof joseErrors.JOSEError || err instanceof z.ZodError) {
          throw new AppError('UNAUTHENTICATED', 'Invalid token');
        }
        throw err;
      }
    },
  };
}

export const isOperator = (p: Principal) => p.roles.includes('operator');

export function requireOperator(p: Principal): void {
  if (!isOperator(p)) throw new AppError('FORBIDDEN', 'Operators only');
}
